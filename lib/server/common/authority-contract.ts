import { z } from "zod";
import {
  mergeRequestSchema,
  signInRequestSchema,
  signOutRequestSchema,
  signUpRequestSchema,
} from "../../shared/contracts/auth";
import {
  guestSessionRequestSchema,
  LEGACY_TOKEN_MAX_LENGTH,
} from "../../shared/contracts/guest-session";
import {
  endGuestSessionRequestSchema,
  listSessionsRequestSchema,
  revokeSessionRequestSchema,
  rotateTokenRequestSchema,
} from "../../shared/contracts/sessions";
import { MEMBER_COOKIE_MAX_LENGTH } from "../../shared/names";

/** The authority's routes, for its client in the web app. */
export const AUTHORITY_ROUTES = {
  guestSession: "/v1/guest-session",
  identityResolve: "/v1/identity/resolve",
  signUp: "/v1/auth/sign-up",
  signIn: "/v1/auth/sign-in",
  signOut: "/v1/auth/sign-out",
  merge: "/v1/auth/merge",
  listSessions: "/v1/sessions/list",
  revokeOwnSession: "/v1/sessions/revoke",
  endGuestSession: "/v1/guest-session/end",
  rotateToken: "/v1/tokens/rotate",
  health: "/healthz",
  /** Internal: revoke a session (tests, and the sign-out and admin flows later). */
  revokeSession: (sessionId: string) => `/v1/sessions/${encodeURIComponent(sessionId)}/revoke`,
} as const;

/** A path of the authority's (the route table's values, or a revoke of one session). */
export type AuthorityPath = `/v1/${string}` | "/healthz";

/**
 * Body of POST /v1/identity/resolve: the credentials the web app read from the request's
 * cookies. Unknown keys are ignored, so a client may already send `memberSessionId`.
 */
export const identityResolveRequestSchema = z.object({
  /** The raw `__Host-foyer_guest_session` cookie value. */
  guestSession: z.string().max(LEGACY_TOKEN_MAX_LENGTH).optional(),
  /** The raw `__Host-foyer_session` cookie value (an iron-session seal). */
  memberSession: z.string().max(MEMBER_COOKIE_MAX_LENGTH).optional(),
});

/**
 * The member cookie's value, which the web side passes in the body (never as a cookie: the
 * Cookie header to the authority carries the guest cookie only). The authority unseals and
 * checks it itself; it trusts no session or user id from its caller.
 */
const memberSession = z.string().min(1).max(MEMBER_COOKIE_MAX_LENGTH).optional();

/** The authority's guest-session body: the browser's, plus the member cookie's value. */
export const authorityGuestSessionSchema = guestSessionRequestSchema.extend({ memberSession });
export const authoritySignUpSchema = signUpRequestSchema.extend({ memberSession });
export const authoritySignInSchema = signInRequestSchema.extend({ memberSession });
export const authoritySignOutSchema = signOutRequestSchema.extend({ memberSession });
export const authorityMergeSchema = mergeRequestSchema.extend({ memberSession });
export const authorityListSessionsSchema = listSessionsRequestSchema.extend({ memberSession });
export const authorityRevokeSessionSchema = revokeSessionRequestSchema.extend({ memberSession });
export const authorityEndGuestSchema = endGuestSessionRequestSchema.extend({ memberSession });
export const authorityRotateTokenSchema = rotateTokenRequestSchema.extend({ memberSession });

export type IdentityResolveRequest = z.infer<typeof identityResolveRequestSchema>;

/** 200 body of POST /v1/sessions/:sessionId/revoke. */
export interface RevokeSessionResponse {
  /** The session's generation after the revoke; tokens carrying an older one are stale. */
  generation: number;
  /** `pending`: durable, but some gateway node did not confirm in time. */
  status: "revoked" | "pending";
}
