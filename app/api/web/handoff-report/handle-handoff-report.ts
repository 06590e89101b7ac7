import type { LogFn } from "@/lib/server/common/log";
import { isSameOriginRequest } from "@/lib/server/common/same-origin";
import { readRouteJson } from "@/lib/server/web/proxy/read-route-json";
import type { Identity } from "@/lib/shared/contracts/identity";
import { type ErrorCode, toErrorBody, toHttpStatus } from "@/lib/shared/errors";
import { CLIENT_ADDRESS_HEADER, REQUEST_ID_HEADER } from "@/lib/shared/names";
import type { HandoffReportGate } from "./handoff-report-gate";
import { handoffReportSchema } from "./schema";

const NO_STORE = { "cache-control": "no-store" };
/** The report is two words and an id. */
export const HANDOFF_REPORT_MAX_IN_BYTES = 1024;

export interface HandoffReportDeps {
  /** The request's identity from its cookies; throws an IdentityError without one. */
  requireIdentity: () => Promise<Identity>;
  /** Turns what `requireIdentity` threw into its response, or rethrows. */
  toIdentityErrorResponse: (error: unknown) => Response;
  gate: HandoffReportGate;
  log: LogFn;
  /** Allowed origins. @default `FOYER_PUBLIC_ORIGIN`, else the Host's */
  publicOrigins?: readonly string[];
}

function toError(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
  return Response.json(toErrorBody(code, message), {
    status: toHttpStatus(code),
    headers: { ...NO_STORE, ...headers },
  });
}

const tooMany = (retryAfterSeconds: number) =>
  toError("rate_limited:handoff_report", "Too many reports; try again later.", {
    "retry-after": String(retryAfterSeconds),
  });

/**
 * POST /api/web/handoff-report {step, outcome, userId?}: a tab found that the cookies did
 * not name the identity a handoff promised. Logged as `identity.handoff_mismatch` (ids
 * only) so the failure is visible server-side, but never at a stranger's bidding: the
 * request must be same-origin, within its address's budget, made with cookies that resolve
 * to an identity (401 without), about that identity only (403 `forbidden:identity` when it
 * names another), and within that identity's budget (429). The same report from the same
 * identity within the window answers 204 and is logged once. Nothing refused is logged.
 */
export async function handleHandoffReport(
  request: Request,
  deps: HandoffReportDeps,
): Promise<Response> {
  if (!isSameOriginRequest(request, deps.publicOrigins)) {
    return toError("forbidden:origin", "Cross-site requests are not allowed.");
  }
  const address = await deps.gate.admitAddress(
    request.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown",
  );
  if (!address.allowed) return tooMany(address.retryAfterSeconds);
  const parsed = await readRouteJson(request, handoffReportSchema, HANDOFF_REPORT_MAX_IN_BYTES);
  if (!parsed.ok) return toError(parsed.code, parsed.message);
  let identity: Identity;
  try {
    identity = await deps.requireIdentity();
  } catch (error) {
    return deps.toIdentityErrorResponse(error);
  }
  if (parsed.data.userId !== undefined && parsed.data.userId !== identity.userId) {
    return toError("forbidden:identity", "A report can only be about your own identity.");
  }
  const admitted = await deps.gate.admitIdentity(identity.userId);
  if (!admitted.allowed) return tooMany(admitted.retryAfterSeconds);
  if (await deps.gate.isFirst(identity.userId, parsed.data)) {
    deps.log("identity.handoff_mismatch", {
      requestId: request.headers.get(REQUEST_ID_HEADER),
      step: parsed.data.step,
      outcome: parsed.data.outcome,
      serverUserId: identity.userId,
      serverKind: identity.kind,
    });
  }
  return new Response(null, { status: 204, headers: NO_STORE });
}
