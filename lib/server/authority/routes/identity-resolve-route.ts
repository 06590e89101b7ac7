import type { Identity } from "../../../shared/contracts/identity";
import { identityResolveRequestSchema } from "../../common/authority-contract";
import { findSessionBySecretHash } from "../../store/sessions";
import type { AuthorityContext, RouteHandler } from "../context";
import { hashGuestSecret, isGuestCookieValue } from "../cookies/guest-cookie";
import { lookupMemberSession } from "../services/members";
import { readJsonBody, sendBodyError, sendJson, sendNoContent } from "./http-io";

/** The live guest identity a guest cookie value names, or null. Never creates anything. */
export async function getGuestIdentity(
  ctx: AuthorityContext,
  cookieValue: unknown,
): Promise<Identity | null> {
  if (!isGuestCookieValue(cookieValue)) return null;
  const hash = hashGuestSecret(cookieValue, ctx.secrets.FOYER_GUEST_SESSION_PEPPER);
  const session = await findSessionBySecretHash(ctx.db, hash);
  if (session?.kind !== "guest" || session.revokedAt) return null;
  return { userId: session.userId, kind: session.kind, sessionId: session.id };
}

/**
 * POST /v1/identity/resolve {guestSession?, memberSession?}: 200 with the identity of a live
 * session (a live member session first, as everywhere), 204 otherwise. Never creates.
 */
export const handleIdentityResolve: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, identityResolveRequestSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const member = await lookupMemberSession(ctx, parsed.data.memberSession);
  if (member.kind === "live") {
    const { session } = member;
    const identity: Identity = { userId: session.userId, kind: "member", sessionId: session.id };
    return sendJson(res, 200, identity);
  }
  const identity = await getGuestIdentity(ctx, parsed.data.guestSession);
  if (!identity) return sendNoContent(res);
  sendJson(res, 200, identity);
};
