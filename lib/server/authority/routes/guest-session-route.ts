import type { GuestSessionResponse } from "../../../shared/contracts/guest-session";
import { toErrorBody, toHttpStatus } from "../../../shared/errors";
import { REQUEST_ID_HEADER } from "../../../shared/names";
import { authorityGuestSessionSchema } from "../../common/authority-contract";
import type { MintedSocketToken } from "../../common/socket-tokens";
import type { RouteHandler } from "../context";
import {
  readGuestCookie,
  toClearedGuestSessionSetCookie,
  toGuestSessionSetCookie,
} from "../cookies/guest-cookie";
import { toClearedMemberSessionSetCookie } from "../cookies/member-cookie";
import { createSocketToken } from "../create-socket-token";
import { getCallerAddress } from "../limits/caller-address";
import { type GuestSessionOutcome, resolveGuestSession } from "../services/guest-sessions";
import {
  lookupMemberSession,
  type MemberLookup,
  mergeGuestFromCookie,
  mintFor,
} from "../services/members";
import {
  getHeader,
  type Headers,
  type HttpReply,
  readJsonBody,
  sendBodyError,
  sendReply,
} from "./http-io";
import { getGuestIdentity } from "./identity-resolve-route";

/** Maps an outcome (and, for a session, its freshly minted token) to the HTTP reply. */
export function toGuestSessionReply(
  outcome: GuestSessionOutcome,
  minted?: MintedSocketToken,
): HttpReply {
  switch (outcome.kind) {
    case "session": {
      if (!minted) throw new Error("authority/guest-session: a session reply needs a socket token");
      const body: GuestSessionResponse = {
        userId: outcome.userId,
        kind: "guest",
        socketToken: minted.token,
        expiresAt: minted.expiresAt.toISOString(),
        ...(outcome.newCookieValue ? { issued: true } : {}),
        ...(outcome.legacy ? { legacy: outcome.legacy } : {}),
      };
      const headers: Headers = {};
      if (outcome.newCookieValue)
        headers["set-cookie"] = toGuestSessionSetCookie(outcome.newCookieValue);
      return { status: 200, body, headers };
    }
    case "revoked":
      return {
        status: toHttpStatus("revoked:guest_session"),
        body: {
          error: {
            ...toErrorBody("revoked:guest_session", "authority: this guest session was revoked")
              .error,
            ...(outcome.reason ? { reason: outcome.reason } : {}),
          },
        },
        headers: { "set-cookie": toClearedGuestSessionSetCookie() },
      };
    case "miss":
      return { status: 204, headers: {} };
    case "rate_limited":
      return {
        status: toHttpStatus("rate_limited:guest_creation"),
        body: toErrorBody(
          "rate_limited:guest_creation",
          "authority: too many new guests; retry later",
        ),
        headers: { "retry-after": String(outcome.retryAfterSeconds) },
      };
  }
}

/** The reply for a live member session: its identity and a fresh socket token. */
export function toMemberSessionReply(
  member: Extract<MemberLookup, { kind: "live" }>,
  minted: MintedSocketToken,
  guestPending: boolean,
  legacy?: "migrated" | "unknown",
): HttpReply {
  const body: GuestSessionResponse = {
    userId: member.session.userId,
    kind: "member",
    email: member.email,
    socketToken: minted.token,
    expiresAt: minted.expiresAt.toISOString(),
    ...(guestPending ? { guestPending } : {}),
    ...(legacy ? { legacy } : {}),
  };
  return { status: 200, body, headers: {} };
}

/** Adds `Set-Cookie` values to a reply, keeping any it already has (one header each). */
export function withSetCookies(reply: HttpReply, cookies: string[]): HttpReply {
  if (cookies.length === 0) return reply;
  const existing = reply.headers["set-cookie"];
  const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  return { ...reply, headers: { ...reply.headers, "set-cookie": [...before, ...cookies] } };
}

/**
 * POST /v1/guest-session: the identity the cookies name. A live member session wins (the
 * member's token); a dead member cookie is cleared. Otherwise: look up, re-issue or create
 * the guest session the guest cookie names.
 */
export const handleGuestSession: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authorityGuestSessionSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const member = await lookupMemberSession(ctx, parsed.data.memberSession);
  if (member.kind === "live") {
    ctx.log("guest_session.member", {
      requestId: getHeader(req, REQUEST_ID_HEADER),
      userId: member.session.userId,
      sessionId: member.session.id,
    });
    // An older client's guest token reaching a member: that guest's data comes along too.
    const legacy = parsed.data.legacyToken
      ? await mergeGuestFromCookie(
          ctx,
          parsed.data.legacyToken,
          member.session.userId,
          getHeader(req, REQUEST_ID_HEADER),
        )
      : null;
    const guest = await getGuestIdentity(ctx, readGuestCookie(getHeader(req, "cookie")));
    const minted = await mintFor(ctx, member.session);
    const legacyStatus = !legacy
      ? undefined
      : legacy.summary.status === "failed"
        ? undefined
        : legacy.summary.status === "none"
          ? "unknown"
          : "migrated";
    return sendReply(res, toMemberSessionReply(member, minted, guest !== null, legacyStatus));
  }
  const outcome = await resolveGuestSession(ctx, {
    mode: parsed.data.mode,
    cookieValue: readGuestCookie(getHeader(req, "cookie")),
    legacyToken: parsed.data.legacyToken,
    clientAddress: getCallerAddress(req, ctx.clientAddressKey),
    userAgent: getHeader(req, "user-agent"),
  });
  const minted =
    outcome.kind === "session"
      ? await createSocketToken(
          {
            userId: outcome.userId,
            sessionId: outcome.sessionId,
            kind: "guest",
            generation: outcome.generation,
          },
          ctx.secrets.FOYER_TOKEN_SIGNING_KEY,
        )
      : undefined;
  ctx.log(`guest_session.${outcome.kind === "session" ? outcome.via : outcome.kind}`, {
    requestId: getHeader(req, REQUEST_ID_HEADER),
    ...(outcome.kind === "session" ? { userId: outcome.userId, sessionId: outcome.sessionId } : {}),
    ...(outcome.kind === "rate_limited" ? { scope: outcome.scope } : {}),
  });
  const cleared = member.kind === "ended" ? [toClearedMemberSessionSetCookie()] : [];
  sendReply(res, withSetCookies(toGuestSessionReply(outcome, minted), cleared));
};
