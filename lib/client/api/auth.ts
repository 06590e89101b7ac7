/**
 * Browser calls for the member routes (`/api/web/auth/*`), and the bounded merge retry.
 *
 * A sign-up or sign-in answers with the new member identity and what became of the guest's
 * data (`merge.status`). When the merge failed on the server the guest, its data and its
 * cookie are kept, and {@link retryMerge} asks again a bounded number of times with
 * exponential backoff and full jitter. Success is recorded only from the server's answer.
 */
import {
  type AuthResponse,
  authResponseSchema,
  type MergeSummary,
  mergeResponseSchema,
  type SignInRequest,
  type SignOutResponse,
  type SignUpRequest,
  signOutResponseSchema,
} from "../../shared/contracts/auth";
import {
  type RevocationResponse,
  type RotateTokenResponse,
  revocationResponseSchema,
  rotateTokenResponseSchema,
} from "../../shared/contracts/sessions";
import { type ErrorCode, isErrorCode } from "../../shared/errors";

export type ClientFailureCode = "network:client" | "bad_response:client";

export type ApiResult<T> =
  | { kind: "ok"; data: T }
  | {
      kind: "error";
      code: ErrorCode | ClientFailureCode;
      message: string;
      status: number;
      /** A message per invalid field, for forms. */
      fields?: Record<string, string>;
    };

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export const AUTH_TIMEOUT_IN_MS = 15_000;

async function toError(response: Response): Promise<ApiResult<never>> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // An empty or non-JSON error body: fall through to the generic answer.
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  const code = isErrorCode(error?.code) ? error.code : "bad_response:client";
  const message = typeof error?.message === "string" ? error.message : "Something went wrong.";
  const fields =
    typeof error?.fields === "object" && error.fields !== null
      ? (error.fields as Record<string, string>)
      : undefined;
  return { kind: "error", code, message, status: response.status, fields };
}

/** POSTs JSON to a same-origin route; `parse` reads a 200 body (204 passes `undefined`). */
export async function postJson<T>(
  path: string,
  body: unknown,
  parse: (json: unknown) => T | null,
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetchImpl(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      cache: "no-store",
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(AUTH_TIMEOUT_IN_MS),
    });
  } catch {
    return { kind: "error", code: "network:client", message: "Could not reach Foyer.", status: 0 };
  }
  if (!response.ok) return toError(response);
  const json = response.status === 204 ? undefined : await response.json().catch(() => null);
  const data = parse(json);
  if (data === null) {
    return {
      kind: "error",
      code: "bad_response:client",
      message: "Foyer answered in a way this page does not understand. Reload and try again.",
      status: response.status,
    };
  }
  return { kind: "ok", data };
}

const parseAuth = (json: unknown) => authResponseSchema.safeParse(json).data ?? null;

export function signUp(input: SignUpRequest, fetchImpl?: FetchLike) {
  return postJson<AuthResponse>("/api/web/auth/sign-up", input, parseAuth, fetchImpl);
}

export function signIn(input: SignInRequest, fetchImpl?: FetchLike) {
  return postJson<AuthResponse>("/api/web/auth/sign-in", input, parseAuth, fetchImpl);
}

export function signOut(input: { everywhere?: boolean } = {}, fetchImpl?: FetchLike) {
  return postJson<SignOutResponse>(
    "/api/web/auth/sign-out",
    input,
    (json) => signOutResponseSchema.safeParse(json).data ?? null,
    fetchImpl,
  );
}

/** A new token family for the cookies' session; the token goes in the body, never a URL. */
export function rotateSocketToken(token: string, fetchImpl?: FetchLike) {
  return postJson<RotateTokenResponse>(
    "/api/web/socket-token/rotate",
    { token },
    (json) => rotateTokenResponseSchema.safeParse(json).data ?? null,
    fetchImpl,
  );
}

/** Ends one of the member's sessions (the Sessions page). */
export function revokeSession(sessionId: string, fetchImpl?: FetchLike) {
  return postJson<RevocationResponse>(
    "/api/web/sessions/revoke",
    { sessionId },
    (json) => revocationResponseSchema.safeParse(json).data ?? null,
    fetchImpl,
  );
}

/** A guest ends its own session. */
export function endGuestSession(fetchImpl?: FetchLike) {
  return postJson<RevocationResponse>(
    "/api/web/guest-session/end",
    {},
    (json) => revocationResponseSchema.safeParse(json).data ?? null,
    fetchImpl,
  );
}

/** One merge attempt (the server finds the guest by its cookie only). */
export function requestMerge(fetchImpl?: FetchLike) {
  return postJson<MergeSummary>(
    "/api/web/auth/merge",
    {},
    (json) => mergeResponseSchema.safeParse(json).data?.merge ?? null,
    fetchImpl,
  );
}

export const MERGE_MAX_ATTEMPTS = 4;
export const MERGE_BASE_DELAY_IN_MS = 400;
export const MERGE_MAX_DELAY_IN_MS = 4_000;

export interface MergeRetryOptions {
  attempt?: () => Promise<ApiResult<MergeSummary>>;
  maxAttempts?: number;
  baseDelayInMs?: number;
  maxDelayInMs?: number;
  /** In [0, 1); `Math.random` by default (full jitter). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type MergeRetryOutcome =
  | { kind: "merged"; summary: MergeSummary; attempts: number }
  | { kind: "failed"; code: string; message: string; attempts: number };

/** Whether a failed merge attempt is worth repeating (the server or the network hiccuped). */
export function isRetryableMergeError(result: Extract<ApiResult<unknown>, { kind: "error" }>) {
  return result.status === 0 || result.status >= 500 || result.code === "bad_response:client";
}

/**
 * Retries the merge until the server says it happened, at most `maxAttempts` times, waiting
 * `random() * min(maxDelay, base * 2^n)` between attempts. A refusal that retrying cannot
 * fix (signed out, merged elsewhere) ends at once. On final failure nothing is recorded as
 * merged: the guest and its cookie are still there, and the caller offers a manual retry.
 */
export async function retryMerge(options: MergeRetryOptions = {}): Promise<MergeRetryOutcome> {
  const attempt = options.attempt ?? (() => requestMerge());
  const maxAttempts = options.maxAttempts ?? MERGE_MAX_ATTEMPTS;
  const base = options.baseDelayInMs ?? MERGE_BASE_DELAY_IN_MS;
  const cap = options.maxDelayInMs ?? MERGE_MAX_DELAY_IN_MS;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  let code = "network:client";
  let message = "The merge was not tried.";
  let attempts = 0;
  while (attempts < maxAttempts) {
    if (attempts > 0) await sleep(Math.floor(random() * Math.min(cap, base * 2 ** (attempts - 1))));
    const result = await attempt();
    attempts += 1;
    if (result.kind === "ok") return { kind: "merged", summary: result.data, attempts };
    code = result.code;
    message = result.message;
    if (!isRetryableMergeError(result)) break;
  }
  return { kind: "failed", code, message, attempts };
}
