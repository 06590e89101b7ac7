import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthResponse, MergeResponse, SignOutResponse } from "../../../shared/contracts/auth";
import { REQUEST_ID_HEADER } from "../../../shared/names";
import {
  authorityMergeSchema,
  authoritySignInSchema,
  authoritySignOutSchema,
  authoritySignUpSchema,
} from "../../common/authority-contract";
import { revokeSession, revokeUserSessions } from "../../store/sessions";
import {
  createMemberUser,
  findMemberByEmail,
  toNormalizedEmail,
  updatePasswordHash,
} from "../../store/users";
import type { AuthorityContext, RouteHandler } from "../context";
import { readGuestCookie, toClearedGuestSessionSetCookie } from "../cookies/guest-cookie";
import {
  toClearedMemberSessionSetCookie,
  toMemberSessionSetCookie,
} from "../cookies/member-cookie";
import { getCallerAddress } from "../limits/caller-address";
import { toAccountKey } from "../limits/sign-in-throttle";
import { hashPassword, needsRehash, verifyPassword } from "../passwords/passwords";
import {
  announceEnded,
  lookupMemberSession,
  mergeGuestFromCookie,
  startMemberSession,
} from "../services/members";
import { getHeader, readJsonBody, sendBodyError, sendError, sendJson } from "./http-io";

/**
 * Sign-up, sign-in, sign-out and the merge retry (members issue). Each state change is
 * announced to the gateways before the answer is written. Messages never say whether an
 * account exists, except sign-up's "taken", which no sign-up without a mail round trip
 * can avoid. Attempts are bounded per address, sign-ups by the sign-up budgets, and wrong
 * passwords slow down their (account, address) pair without locking the account (S8).
 */

function sendRateLimited(res: ServerResponse, retryAfterSeconds: number): void {
  sendError(res, "rate_limited:sign_in", "authority: too many attempts; try again later", {
    "retry-after": String(retryAfterSeconds),
  });
}

/** Spends a sign-up: one attempt of the address, one of each sign-up budget. */
async function gateSignUp(
  ctx: AuthorityContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const address = getCallerAddress(req, ctx.clientAddressKey);
  const attempt = await ctx.limits.signIn.attempt(address);
  const decision = attempt.allowed ? await ctx.limits.signUp.consume(address) : attempt;
  if (decision.allowed) return true;
  sendRateLimited(res, decision.retryAfterSeconds);
  return false;
}

/** The common end of sign-up and sign-in: a new session, the merge, the cookies. */
async function completeSignIn(
  ctx: AuthorityContext,
  req: IncomingMessage,
  res: ServerResponse,
  input: { userId: string; email: string; memberSession?: string; via: "sign_up" | "sign_in" },
): Promise<void> {
  const requestId = getHeader(req, REQUEST_ID_HEADER);
  const replacing = await lookupMemberSession(ctx, input.memberSession);
  const started = await startMemberSession(ctx, {
    userId: input.userId,
    userAgent: getHeader(req, "user-agent"),
    replacing,
  });
  const merge = await mergeGuestFromCookie(
    ctx,
    readGuestCookie(getHeader(req, "cookie")),
    input.userId,
    requestId,
  );
  ctx.log(`auth.${input.via === "sign_up" ? "signed_up" : "signed_in"}`, {
    requestId,
    userId: input.userId,
    sessionId: started.session.id,
    merge: merge.summary.status,
  });
  const body: AuthResponse = {
    userId: input.userId,
    kind: "member",
    email: input.email,
    socketToken: started.minted.token,
    expiresAt: started.minted.expiresAt.toISOString(),
    merge: merge.summary,
  };
  const cookies = [toMemberSessionSetCookie(started.seal)];
  if (merge.clearGuestCookie) cookies.push(toClearedGuestSessionSetCookie());
  sendJson(res, 200, body, { "set-cookie": cookies });
}

/** POST /v1/auth/sign-up {email, password, memberSession?} (+ the guest cookie). */
export const handleSignUp: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authoritySignUpSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const { email, password, memberSession } = parsed.data;
  if (!(await gateSignUp(ctx, req, res))) return;
  // Hashed before the uniqueness check, so a taken email answers no faster.
  const passwordHash = await hashPassword(password);
  const user = await createMemberUser(ctx.db, { email, passwordHash });
  if (!user?.email) {
    return sendError(res, "conflict:account", "authority: this email cannot be used to sign up");
  }
  await completeSignIn(ctx, req, res, {
    userId: user.id,
    email: user.email,
    memberSession,
    via: "sign_up",
  });
};

/** POST /v1/auth/sign-in {email, password, memberSession?} (+ the guest cookie). */
export const handleSignIn: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authoritySignInSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const { email, password, memberSession } = parsed.data;
  const address = getCallerAddress(req, ctx.clientAddressKey);
  // Known or not, the account is a key: every answer below is the same for both.
  const account = toAccountKey(toNormalizedEmail(email), ctx.secrets.FOYER_GUEST_SESSION_PEPPER);
  const decision = await ctx.limits.signIn.begin(address, account);
  if (!decision.allowed) return sendRateLimited(res, decision.retryAfterSeconds);
  const member = await findMemberByEmail(ctx.db, email);
  // Verified against a dummy hash when there is no such member: the same work either way.
  const valid = await verifyPassword(member?.passwordHash ?? null, password);
  if (!member || !valid) {
    await ctx.limits.signIn.fail(account);
    ctx.log("auth.sign_in_failed", { requestId: getHeader(req, REQUEST_ID_HEADER) });
    return sendError(res, "unauthorized:credentials", "authority: email or password is incorrect");
  }
  await ctx.limits.signIn.succeed(address, account);
  if (needsRehash(member.passwordHash)) {
    await updatePasswordHash(ctx.db, member.id, await hashPassword(password));
  }
  await completeSignIn(ctx, req, res, {
    userId: member.id,
    email: member.email,
    memberSession,
    via: "sign_in",
  });
};

/**
 * POST /v1/auth/sign-out {memberSession?, everywhere?}: ends this session (or all of the
 * member's) on every gateway node, then clears the cookie and answers `signed_out`, or
 * `pending` when a node did not confirm in time. Idempotent: a dead cookie is cleared too.
 */
export const handleSignOut: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authoritySignOutSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const member = await lookupMemberSession(ctx, parsed.data.memberSession);
  // "Everywhere" needs to know whose sessions: from a dead cookie it would end nothing, and
  // saying "signed out" would hide that the other sessions are still live.
  if (parsed.data.everywhere && member.kind !== "live") {
    return sendError(res, "unauthorized:session", "authority: sign in again to end every session", {
      "set-cookie": toClearedMemberSessionSetCookie(),
    });
  }
  let confirmed = true;
  if (member.kind === "live") {
    const { session } = member;
    const reason = parsed.data.everywhere ? "signed_out_everywhere" : "signed_out";
    const ended = parsed.data.everywhere
      ? await revokeUserSessions(ctx.db, session.userId, reason)
      : [await revokeSession(ctx.db, session.id, reason)].filter((e) => e !== null);
    confirmed = await announceEnded(ctx, ended, reason);
    ctx.log("auth.signed_out", {
      requestId: getHeader(req, REQUEST_ID_HEADER),
      userId: session.userId,
      sessionId: session.id,
      sessionsEnded: ended.length,
      confirmed,
    });
  }
  const body: SignOutResponse = { status: confirmed ? "signed_out" : "pending" };
  sendJson(res, 200, body, { "set-cookie": toClearedMemberSessionSetCookie() });
};

/** POST /v1/auth/merge {memberSession} (+ the guest cookie): the client's merge retry. */
export const handleMerge: RouteHandler = async (ctx, req, res) => {
  const parsed = await readJsonBody(req, authorityMergeSchema);
  if (!parsed.ok) return sendBodyError(res, parsed);
  const member = await lookupMemberSession(ctx, parsed.data.memberSession);
  if (member.kind !== "live") {
    return sendError(res, "unauthorized:session", "authority: sign in first", {
      "set-cookie": toClearedMemberSessionSetCookie(),
    });
  }
  const merge = await mergeGuestFromCookie(
    ctx,
    readGuestCookie(getHeader(req, "cookie")),
    member.session.userId,
    getHeader(req, REQUEST_ID_HEADER),
  );
  if (merge.summary.status === "failed") {
    return sendError(res, "unavailable:merge", "authority: the merge failed; retry shortly");
  }
  const body: MergeResponse = { merge: merge.summary };
  const cleared = merge.clearGuestCookie ? [toClearedGuestSessionSetCookie()] : [];
  sendJson(res, 200, body, { "set-cookie": cleared });
};
