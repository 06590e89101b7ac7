import { log } from "@/lib/server/common/log";
import { isSameOriginRequest } from "@/lib/server/common/same-origin";
import { getIdentity } from "@/lib/server/web/identity/dal";
import { readRouteJson } from "@/lib/server/web/proxy/read-route-json";
import { toErrorBody, toHttpStatus } from "@/lib/shared/errors";
import { REQUEST_ID_HEADER } from "@/lib/shared/names";
import { handoffReportSchema } from "./schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

/**
 * POST /api/web/handoff-report {step, outcome}: a tab found that the cookies did not name
 * the identity a handoff promised. Logged as `identity.handoff_mismatch` with the step and
 * whom the server resolves now (ids only), so the failure is visible server-side.
 */
export async function POST(request: Request): Promise<Response> {
  if (!isSameOriginRequest(request)) {
    const code = "forbidden:origin";
    return Response.json(toErrorBody(code, "Cross-site requests are not allowed."), {
      status: toHttpStatus(code),
      headers: NO_STORE,
    });
  }
  const parsed = await readRouteJson(request, handoffReportSchema, 1024);
  if (!parsed.ok) {
    return Response.json(toErrorBody(parsed.code, parsed.message), {
      status: toHttpStatus(parsed.code),
      headers: NO_STORE,
    });
  }
  const identity = await getIdentity();
  log("identity.handoff_mismatch", {
    requestId: request.headers.get(REQUEST_ID_HEADER),
    step: parsed.data.step,
    outcome: parsed.data.outcome,
    serverUserId: identity?.userId ?? null,
    serverKind: identity?.kind ?? null,
  });
  return new Response(null, { status: 204, headers: NO_STORE });
}
