import { log } from "@/lib/server/common/log";
import {
  IdentityError,
  requireIdentity,
  toIdentityErrorResponse,
} from "@/lib/server/web/identity/dal";
import { handleHandoffReport } from "./handle-handoff-report";
import { getHandoffReportGate } from "./handoff-report-gate";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/web/handoff-report: see {@link handleHandoffReport}. */
export function POST(request: Request): Promise<Response> {
  return handleHandoffReport(request, {
    requireIdentity,
    toIdentityErrorResponse(error) {
      if (error instanceof IdentityError) return toIdentityErrorResponse(error);
      throw error;
    },
    gate: getHandoffReportGate(),
    log,
  });
}
