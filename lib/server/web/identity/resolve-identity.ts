import { type Identity, identitySchema } from "../../../shared/contracts/identity";
import type { ErrorCode } from "../../../shared/errors";
import { AUTHORITY_ROUTES } from "../../common/authority-contract";
import { type EnvVars, SECRET_MIN_LENGTH } from "../../common/env";
import { log } from "../../common/log";
import {
  AuthorityCallError,
  type AuthorityRequest,
  type AuthorityResponse,
  callAuthority,
} from "../authority-client/authority-client";
import { hasIdentityCookies, type IdentityCookies } from "../proxy/cookie-allow-list";
import {
  type IdentityHeaderKeys,
  parseIdentityHeader,
  toIdentityHeaderKeys,
} from "./identity-header";

/**
 * Resolving who a web request acts for, shared by middleware (which signs the result into
 * the identity header) and the DAL (which accepts that header only when it verifies, else
 * asks the authority itself). Identity comes only from the cookies.
 */

export type IdentityResolution =
  | { status: "identified"; identity: Identity }
  | { status: "anonymous" }
  /** The authority could not answer; callers fail closed (no identity), never open. */
  | { status: "unavailable" };

export interface ResolveDeps {
  call?: (request: AuthorityRequest) => Promise<AuthorityResponse>;
  /** Context headers for the authority call (request id, user agent, client address). */
  headers?: Readonly<Record<string, string>>;
}

/** Thrown by `requireIdentity()`; `code` maps to 401 or 503 through lib/shared/errors. */
export class IdentityError extends Error {
  override name = "IdentityError";
  constructor(readonly code: Extract<ErrorCode, "unauthorized:session" | "unavailable:authority">) {
    super(
      code === "unauthorized:session"
        ? "request-identity: no session; sign in or start a guest session first"
        : "request-identity: the session authority is unavailable; retry shortly",
    );
  }
}

/** Header keys from `FOYER_SESSION_PASSWORD`, or null when it is missing or too short. */
export function getIdentityHeaderKeys(env: EnvVars = process.env): IdentityHeaderKeys | null {
  const password = env.FOYER_SESSION_PASSWORD;
  return password && password.length >= SECRET_MIN_LENGTH ? toIdentityHeaderKeys(password) : null;
}

/** Asks the authority whose the cookies are (`POST /v1/identity/resolve`; it never creates). */
export async function resolveIdentityFromCookies(
  cookies: IdentityCookies,
  deps: ResolveDeps = {},
): Promise<IdentityResolution> {
  if (!hasIdentityCookies(cookies)) return { status: "anonymous" };
  const body: Record<string, string> = {};
  if (cookies.guestSession !== null) body.guestSession = cookies.guestSession;
  if (cookies.memberSession !== null) body.memberSession = cookies.memberSession;
  try {
    const response = await (deps.call ?? callAuthority)({
      path: AUTHORITY_ROUTES.identityResolve,
      body,
      headers: deps.headers,
    });
    if (response.status === 204) return { status: "anonymous" };
    const parsed = response.status === 200 ? identitySchema.safeParse(response.body) : null;
    if (parsed?.success) return { status: "identified", identity: parsed.data };
    log("identity.resolve_failed", {
      status: response.status,
      requestId: deps.headers?.["x-request-id"],
    });
    return { status: "unavailable" };
  } catch (error) {
    const failure = error instanceof AuthorityCallError ? error.failure : "other";
    log("identity.resolve_failed", { failure, requestId: deps.headers?.["x-request-id"] });
    return { status: "unavailable" };
  }
}

/** The identity header if it verifies for these cookies, otherwise the authority's answer. */
export async function resolveRequestIdentity(
  input: { identityHeader: string | null; cookies: IdentityCookies },
  deps: ResolveDeps & { keys?: IdentityHeaderKeys | null; nowInMs?: number } = {},
): Promise<IdentityResolution> {
  if (!hasIdentityCookies(input.cookies)) return { status: "anonymous" };
  const keys = deps.keys === undefined ? getIdentityHeaderKeys() : deps.keys;
  const fromHeader = keys
    ? parseIdentityHeader(input.identityHeader, input.cookies, keys, deps.nowInMs)
    : null;
  if (fromHeader) return { status: "identified", identity: fromHeader };
  return resolveIdentityFromCookies(input.cookies, deps);
}
