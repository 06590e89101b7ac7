/**
 * Browser client for `POST /api/web/guest-session`: the identity the cookies name, with a
 * socket token. The session lives in memory only (never in storage).
 *
 * Enforces docs/design.md, client invariants 1, 3 and 7:
 * 1. Requests are deduplicated in memory per mode (every caller in this tab shares one
 *    in-flight request) and guest creation is serialized across tabs with a Web Lock, so a
 *    cold start of N tabs creates exactly one guest: the first tab's answer sets the
 *    cookie, the next tab's request carries it. (Without Web Locks, tabs converge through
 *    tab-sync: each announces its cold-start identity and the others re-read the cookie.)
 * 3. Generation guard: `clear()` and `refresh()` start a new generation; an answer to a
 *    request started in an older one resolves as `stale` and never touches the state.
 * 7. Legacy migration: a guest token an older client kept in localStorage is sent by the
 *    tab holding the lock, as `legacyToken`; it is deleted only when the server says it is
 *    done with it (re-issued as the cookie, merged into the member, or naming nothing) or
 *    answers a definitive miss; kept on errors and when another credential answered first.
 *
 * It never turns an error into a miss, and never retries by creating a guest.
 *
 * On the chat page the tab's first `lookup_or_create` (and the hand-off lookup after a new
 * guest) may already be under way, sent by the page's inline cold-start script under the same
 * lock (lib/client/identity/cold-start.ts): the client adopts those answers once instead of asking again.
 */

import {
  type GuestSessionMode,
  type GuestSessionResponse,
  guestSessionResponseSchema,
} from "../../shared/contracts/guest-session";
import { type ErrorCode, isErrorCode } from "../../shared/errors";
import {
  type ColdStartAnswers,
  type EarlyAnswer,
  takeColdStartAnswers,
  toResponse,
} from "./cold-start";

export const GUEST_SESSION_PATH = "/api/web/guest-session";
/** Web Lock that serializes guest creation (and the legacy migration) across this origin's tabs. */
export const GUEST_SESSION_LOCK = "foyer:guest-session";
/** Where an older Foyer client kept the guest token (read once, then deleted). */
export const LEGACY_TOKEN_STORAGE_KEY = "foyer.guestToken";
/** After this the request is abandoned, so a hung upstream cannot hold the lock forever. */
export const GUEST_SESSION_TIMEOUT_IN_MS = 15_000;

/** Failures seen only by the browser (no HTTP answer, or an answer we cannot read). */
export type ClientErrorCode = "network:client" | "timeout:client" | "bad_response:client";

export type GuestSessionResult =
  | { kind: "session"; session: GuestSessionResponse }
  | { kind: "miss" }
  /** `reason` `merged`: the guest became a member, whose cookie is on its way to this browser. */
  | { kind: "revoked"; reason?: string }
  | { kind: "error"; code: ErrorCode | ClientErrorCode; message: string; status: number }
  /** Started before a `clear()` or `refresh()`: a newer request speaks for the cookies. */
  | { kind: "stale" };

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface StorageLike {
  getItem(key: string): string | null;
  removeItem(key: string): void;
}

export interface GuestSessionClientOptions {
  fetch?: FetchLike;
  /** Web Locks; null where the browser has none (the in-tab dedupe still holds). */
  locks?: LockManagerLike | null;
  /** Where a legacy token may be; null for none. Default: `localStorage` when available. */
  legacyStorage?: StorageLike | null;
  timeoutInMs?: number;
  /**
   * Answers the page's cold-start script already has or awaits (adopted once). Default: the
   * ones it left on `window`, if any.
   */
  coldStart?: ColdStartAnswers | null;
}

export interface GuestSessionClient {
  /** One request per mode at a time; concurrent callers share its result. */
  request(mode: GuestSessionMode): Promise<GuestSessionResult>;
  /**
   * A forced refresh: starts a new generation (so no answer to an earlier request can
   * apply) and asks the cookies again. Answers of superseded refreshes are `stale`.
   */
  refresh(mode: GuestSessionMode): Promise<GuestSessionResult>;
  /** Forgets the session and starts a new generation (identity change, sign-out). */
  clear(): void;
  /** The session of the newest non-stale answer, or null (memory only). */
  current(): GuestSessionResponse | null;
  /** The current session's token, else one from a `lookup_only`: it never mints a guest. */
  getExistingGuestBearerToken(): Promise<string | null>;
  readonly generation: number;
}

const STATUS_FALLBACK_CODES: Record<number, ErrorCode> = {
  400: "bad_request:body",
  403: "forbidden:origin",
  429: "rate_limited:guest_creation",
  502: "bad_gateway:authority",
  503: "unavailable:authority",
  504: "timeout:authority",
};

async function readErrorBody(
  response: Response,
): Promise<{ code?: ErrorCode; message?: string; reason?: string }> {
  try {
    const body = (await response.json()) as {
      error?: { code?: unknown; message?: unknown; reason?: unknown };
    };
    const code = isErrorCode(body?.error?.code) ? body.error.code : undefined;
    const message = typeof body?.error?.message === "string" ? body.error.message : undefined;
    const reason = typeof body?.error?.reason === "string" ? body.error.reason : undefined;
    return { code, message, reason };
  } catch {
    return {};
  }
}

/** Maps an HTTP answer of the guest-session route to a result. Pure apart from reading the body. */
export async function toGuestSessionResult(response: Response): Promise<GuestSessionResult> {
  if (response.status === 204) return { kind: "miss" };
  if (response.status === 200) {
    const parsed = guestSessionResponseSchema.safeParse(await response.json().catch(() => null));
    if (parsed.success) return { kind: "session", session: parsed.data };
    return {
      kind: "error",
      code: "bad_response:client",
      message: "guest-session: the server answered 200 with a body that is not a session",
      status: 200,
    };
  }
  const { code, message, reason } = await readErrorBody(response);
  // A 403 is a revoked guest unless the server said it was something else (e.g. the origin check).
  if (response.status === 403 && (code === undefined || code === "revoked:guest_session")) {
    return reason ? { kind: "revoked", reason } : { kind: "revoked" };
  }
  const resolved = code ?? STATUS_FALLBACK_CODES[response.status] ?? "internal:server";
  return {
    kind: "error",
    code: resolved,
    message: message ?? `guest-session: the server answered ${response.status}`,
    status: response.status,
  };
}

/** A request that got no answer: it timed out, or the network failed. */
function toNoAnswerResult(failure: "timeout" | "network"): GuestSessionResult {
  return failure === "timeout"
    ? {
        kind: "error",
        code: "timeout:client",
        message: "guest-session: no answer in time",
        status: 0,
      }
    : {
        kind: "error",
        code: "network:client",
        message: "guest-session: the network request failed",
        status: 0,
      };
}

function toThrownResult(error: unknown): GuestSessionResult {
  const name = error instanceof Error ? error.name : "";
  return toNoAnswerResult(name === "TimeoutError" || name === "AbortError" ? "timeout" : "network");
}

/** A cold-start answer as the result the same request would have given. */
async function fromEarlyAnswer(answer: EarlyAnswer): Promise<GuestSessionResult> {
  if ("failure" in answer) return toNoAnswerResult(answer.failure);
  return toGuestSessionResult(toResponse(answer));
}

function getBrowserLocks(): LockManagerLike | null {
  if (typeof navigator === "undefined" || !("locks" in navigator) || !navigator.locks) return null;
  return navigator.locks as unknown as LockManagerLike;
}

function getBrowserStorage(): StorageLike | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage disabled by the browser's settings
  }
}

const STALE: GuestSessionResult = { kind: "stale" };

/**
 * Whether the server is done with a legacy token the request carried: it said so (migrated,
 * or it names nothing), or answered a definitive miss, which it gives only after looking at
 * the token. Any other answer (a cookie answered first, an error) keeps it for later.
 */
export function isLegacyTokenSettled(result: GuestSessionResult): boolean {
  if (result.kind === "miss") return true;
  return result.kind === "session" && result.session.legacy !== undefined;
}

export function createGuestSessionClient(
  options: GuestSessionClientOptions = {},
): GuestSessionClient {
  const inFlight = new Map<GuestSessionMode, Promise<GuestSessionResult>>();
  const timeoutInMs = options.timeoutInMs ?? GUEST_SESSION_TIMEOUT_IN_MS;
  const locks = options.locks === undefined ? getBrowserLocks() : options.locks;
  const storage = options.legacyStorage === undefined ? getBrowserStorage() : options.legacyStorage;
  let generation = 0;
  let session: GuestSessionResponse | null = null;
  /** Read at the first creation (the page's script may run after this client exists). */
  let coldStart: ColdStartAnswers | null | undefined = options.coldStart;
  let coldCreateTaken = false;

  /**
   * The cold-start script's answer for this request, if it may stand for it: its create only
   * for the tab's first `lookup_or_create` (before any clear or refresh), its hand-off lookup
   * only for the first `lookup_only` after that create. Any later creation, or a `clear()`,
   * makes what is left of them stale.
   */
  function takeEarly(mode: GuestSessionMode): Promise<EarlyAnswer | null> | null {
    if (coldStart === undefined && mode === "lookup_or_create") coldStart = takeColdStartAnswers();
    if (!coldStart) return null;
    if (mode === "lookup_or_create") {
      if (coldCreateTaken || generation !== 0) {
        coldStart = null;
        return null;
      }
      coldCreateTaken = true;
      return coldStart.create;
    }
    if (!coldCreateTaken) return null;
    const { verify } = coldStart;
    coldStart = null;
    return verify;
  }

  async function send(mode: GuestSessionMode): Promise<GuestSessionResult> {
    const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    // Read inside the lock: a tab that waited finds the value gone once another tab sent it.
    const legacyToken = storage?.getItem(LEGACY_TOKEN_STORAGE_KEY) || undefined;
    let result: GuestSessionResult;
    try {
      const response = await doFetch(GUEST_SESSION_PATH, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        cache: "no-store",
        body: JSON.stringify(legacyToken ? { mode, legacyToken } : { mode }),
        signal: AbortSignal.timeout(timeoutInMs),
      });
      result = await toGuestSessionResult(response);
    } catch (error) {
      result = toThrownResult(error);
    }
    if (legacyToken && isLegacyTokenSettled(result)) storage?.removeItem(LEGACY_TOKEN_STORAGE_KEY);
    return result;
  }

  function run(mode: GuestSessionMode): Promise<GuestSessionResult> {
    const early = takeEarly(mode);
    // Sent under the lock already (a create), or needing none (a lookup); an answer the
    // script did not get (no lookup was needed) falls back to asking.
    if (early) return early.then((answer) => (answer ? fromEarlyAnswer(answer) : run(mode)));
    // Creation (and with it the legacy migration) is serialized across tabs; a lookup that
    // never mints need not wait behind another tab's creation.
    if (locks && mode === "lookup_or_create") {
      return locks.request(GUEST_SESSION_LOCK, () => send(mode));
    }
    return send(mode);
  }

  function request(mode: GuestSessionMode): Promise<GuestSessionResult> {
    const existing = inFlight.get(mode);
    if (existing) return existing;
    const started = generation;
    const promise = run(mode)
      .then((result) => {
        if (started !== generation) return STALE;
        if (result.kind === "session") session = result.session;
        if (result.kind === "miss" || result.kind === "revoked") session = null;
        return result;
      })
      .finally(() => {
        if (inFlight.get(mode) === promise) inFlight.delete(mode);
      });
    inFlight.set(mode, promise);
    return promise;
  }

  return {
    request,
    refresh(mode) {
      generation += 1;
      inFlight.clear();
      return request(mode);
    },
    clear() {
      generation += 1;
      inFlight.clear();
      session = null;
      coldStart = null;
    },
    current: () => session,
    async getExistingGuestBearerToken() {
      if (session) return session.socketToken;
      const result = await request("lookup_only");
      return result.kind === "session" ? result.session.socketToken : null;
    },
    get generation() {
      return generation;
    },
  };
}

let browserClient: GuestSessionClient | undefined;

/** The tab's shared client: every caller goes through it so the dedupe spans the whole tab. */
export function getGuestSessionClient(): GuestSessionClient {
  browserClient ??= createGuestSessionClient();
  return browserClient;
}
