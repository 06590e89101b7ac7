import type {
  ListSessionsResponse,
  RevocationResponse,
  RotateTokenResponse,
} from "../../../shared/contracts/sessions";
import { REQUEST_ID_HEADER } from "../../../shared/names";
import {
  authorityEndGuestSchema,
  authorityListSessionsSchema,
  authorityRevokeSessionSchema,
  authorityRotateTokenSchema,
} from "../../common/authority-contract";
import { SOCKET_TOKEN_TTL_IN_SECONDS, verifySocketToken } from "../../common/socket-tokens";
import {
  findSessionBySecretHash,
  getSessionById,
  isSessionLive,
  listLiveSessions,
  revokeSession,
  rotateSessionGeneration,
} from "../../store/sessions";
import type { RouteHandler } from "../context";
import {
  hashGuestSecret,
  readGuestCookie,
  toClearedGuestSessionSetCookie,
} from "../cookies/guest-cookie";
import { toClearedMemberSessionSetCookie } from "../cookies/member-cookie";
import { createSocketToken } from "../create-socket-token";
import { announceEnded, lookupMemberSession } from "../services/members";
import { getHeader, readJsonBody, sendBodyError, sendError, sendJson } from "./http-io";

/**
 * The Sessions page's routes (list, revoke one) and the guest's "end my session", plus
 * token rotation. Every change is applied on every gateway node before the answer, which
 * says `pending` when a node did not confirm in time.
 */

/** POST /v1/sessions/list {memberSession}: the member's live sessions, this one marked. */
export const handleListSessions: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authorityListSessionsSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const member = await lookupMemberSession(ctx, parsed.data.memberSession);
  if (member.kind !== "live") return sendError(res, "unauthorized:session", "authority: sign in");
  const sessions = await listLiveSessions(ctx.db, member.session.userId);
  const body: ListSessionsResponse = {
    sessions: sessions.map((s) => ({
      id: s.id,
      userAgent: s.userAgent,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      current: s.id === member.session.id,
    })),
  };
  sendJson(res, 200, body);
};

/** POST /v1/sessions/revoke {memberSession, sessionId}: ends one of the member's own sessions. */
export const handleRevokeOwnSession: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authorityRevokeSessionSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const member = await lookupMemberSession(ctx, parsed.data.memberSession);
  if (member.kind !== "live") return sendError(res, "unauthorized:session", "authority: sign in");
  const target = await getSessionById(ctx.db, parsed.data.sessionId);
  // Another user's session answers exactly like a missing one.
  if (!target || target.userId !== member.session.userId || !isSessionLive(target)) {
    return sendError(res, "not_found:session", "authority: no such session");
  }
  const ended = await revokeSession(ctx.db, target.id, "revoked");
  const confirmed = ended ? await announceEnded(ctx, [ended], "revoked") : true;
  ctx.log("session.revoked_by_member", {
    requestId: getHeader(req, REQUEST_ID_HEADER),
    userId: target.userId,
    sessionId: target.id,
    confirmed,
  });
  const body: RevocationResponse = { status: confirmed ? "revoked" : "pending" };
  const own = target.id === member.session.id;
  sendJson(res, 200, body, own ? { "set-cookie": toClearedMemberSessionSetCookie() } : {});
};

/** POST /v1/guest-session/end {} (+ the guest cookie): the guest ends its own session. */
export const handleEndGuestSession: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authorityEndGuestSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const cookie = readGuestCookie(getHeader(req, "cookie"));
  const hash = cookie ? hashGuestSecret(cookie, ctx.secrets.FOYER_GUEST_SESSION_PEPPER) : null;
  const session = hash ? await findSessionBySecretHash(ctx.db, hash) : null;
  let confirmed = true;
  if (session?.kind === "guest" && isSessionLive(session)) {
    const ended = await revokeSession(ctx.db, session.id, "ended_by_guest");
    if (ended) confirmed = await announceEnded(ctx, [ended], "ended_by_guest");
    ctx.log("guest_session.ended", {
      requestId: getHeader(req, REQUEST_ID_HEADER),
      userId: session.userId,
      sessionId: session.id,
      confirmed,
    });
  }
  const body: RevocationResponse = { status: confirmed ? "signed_out" : "pending" };
  sendJson(res, 200, body, { "set-cookie": toClearedGuestSessionSetCookie() });
};

/** Rotation accepts a token that expired this recently (the tab may have slept). */
const ROTATION_GRACE_IN_SECONDS = SOCKET_TOKEN_TTL_IN_SECONDS;

/**
 * POST /v1/tokens/rotate {token, memberSession?} (+ the guest cookie): a new token family.
 * The presented token must belong to the session the cookies name. Compare-and-set on its
 * generation: of concurrent rotations (several tabs) exactly one wins; the others get 409
 * `conflict:rotation` and re-fetch the current token with a lookup. Once this answers, no
 * gateway node accepts an event carried by a token of the old generation.
 */
export const handleRotateToken: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authorityRotateTokenSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  let claims: Awaited<ReturnType<typeof verifySocketToken>>;
  try {
    claims = await verifySocketToken(
      parsed.data.token,
      ctx.secrets.FOYER_TOKEN_SIGNING_KEY,
      ROTATION_GRACE_IN_SECONDS,
    );
  } catch {
    return sendError(res, "unauthorized:session", "authority: not a token of this session");
  }
  const member = await lookupMemberSession(ctx, parsed.data.memberSession);
  const cookie = readGuestCookie(getHeader(req, "cookie"));
  const guest = cookie
    ? await findSessionBySecretHash(
        ctx.db,
        hashGuestSecret(cookie, ctx.secrets.FOYER_GUEST_SESSION_PEPPER),
      )
    : null;
  const cookieSessionId = member.kind === "live" ? member.session.id : guest?.id;
  if (cookieSessionId !== claims.sessionId) {
    return sendError(res, "unauthorized:session", "authority: not a token of this session");
  }
  const rotated = await rotateSessionGeneration(ctx.db, claims.sessionId, claims.generation);
  if (!rotated) {
    return sendError(
      res,
      "conflict:rotation",
      "authority: already rotated; fetch the current token",
    );
  }
  const announced = await ctx.onSessionChanged({ ...rotated, revoked: false });
  const confirmed = announced === undefined || announced.confirmed;
  const minted = await createSocketToken(
    {
      userId: rotated.userId,
      sessionId: rotated.sessionId,
      kind: claims.kind,
      generation: rotated.generation,
    },
    ctx.secrets.FOYER_TOKEN_SIGNING_KEY,
  );
  ctx.log("token.rotated", {
    requestId: getHeader(req, REQUEST_ID_HEADER),
    userId: rotated.userId,
    sessionId: rotated.sessionId,
    generation: rotated.generation,
    confirmed,
  });
  const body: RotateTokenResponse = {
    userId: rotated.userId,
    socketToken: minted.token,
    expiresAt: minted.expiresAt.toISOString(),
    status: confirmed ? "rotated" : "pending",
  };
  sendJson(res, 200, body);
};
