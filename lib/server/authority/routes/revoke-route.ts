import { z } from "zod";
import { isId } from "../../../shared/ids";
import type { RevokeSessionResponse } from "../../common/authority-contract";
import { revokeSession } from "../../store/sessions";
import type { RouteHandler } from "../context";
import { isInternalCaller } from "../internal-key";
import { announceEnded } from "../services/members";
import { hasBody, readJsonBody, sendBodyError, sendError, sendJson } from "./http-io";

const revokeBodySchema = z.object({}).passthrough();

/**
 * POST /v1/sessions/:sessionId/revoke (internal: needs the internal key): bumps the
 * generation, marks the session revoked, and tells the gateways (awaiting
 * `onSessionChanged`) before answering.
 */
export const handleRevokeSession: RouteHandler = async (ctx, req, res, params) => {
  if (!isInternalCaller(req, ctx.secrets)) {
    return sendError(res, "unauthorized:internal", "authority: internal route");
  }
  if (hasBody(req)) {
    const parsed = await readJsonBody(req, revokeBodySchema);
    if (!parsed.ok) return sendBodyError(res, parsed);
  }
  const sessionId = params[0];
  if (!isId(sessionId)) return sendError(res, "not_found:route", "authority: no such session");
  const revoked = await revokeSession(ctx.db, sessionId);
  if (!revoked) return sendError(res, "not_found:session", "authority: no such session");
  const confirmed = await announceEnded(ctx, [revoked], "revoked");
  ctx.log("session.revoked", {
    sessionId,
    userId: revoked.userId,
    generation: revoked.generation,
    confirmed,
  });
  const body: RevokeSessionResponse = {
    generation: revoked.generation,
    status: confirmed ? "revoked" : "pending",
  };
  sendJson(res, 200, body);
};
