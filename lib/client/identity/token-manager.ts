/**
 * The tab's socket token, in memory only, and the user that owns it.
 *
 * Enforces docs/design.md, client invariants 2 and 3:
 * - Only authoritative writes (guest creation, sign-in, the cold-start cookie restore) set
 *   the owner. A token from a cookie lookup or from another tab is adopted only when it
 *   names the owner (and expires later than the one held); any other is rejected and
 *   `onMismatch` is called, so the caller re-syncs the whole identity. Clearing resets the
 *   owner, so nothing is adopted until the next authoritative write.
 * - A token this tab renewed through the cookies is announced to the other tabs (a
 *   same-user refresh propagates); one adopted from another tab is not re-announced.
 */
import type { GuestSessionResponse } from "../../shared/contracts/guest-session";
import type { GuestSessionResult } from "./guest-session-client";
import { readTokenClaims } from "./token-claims";

/** Renew this long before expiry. */
export const TOKEN_RENEW_MARGIN_IN_MS = 60_000;
/** Never schedule a renewal sooner than this (also the retry delay after a failed renewal). */
export const TOKEN_RENEW_MIN_DELAY_IN_MS = 5_000;

/** A token and whose it is. */
export interface OwnedToken {
  userId: string;
  socketToken: string;
  /** ISO-8601. */
  expiresAt: string;
}

export type TokenOffer = "adopted" | "kept" | "rejected";

export type TokenRenewal =
  | { kind: "token"; token: string; userId: string }
  | { kind: "identity_changed"; session: GuestSessionResponse | null }
  | { kind: "ended"; reason: "revoked" | "miss" }
  | { kind: "error"; code: string; message: string };

export interface TokenDiagnostics {
  owner: string | null;
  adopted: number;
  rejected: number;
  expiresAt: string | null;
}

export interface TokenManager {
  readonly owner: string | null;
  /** The held token, or null before the first authoritative write / after `clear()`. */
  current(): OwnedToken | null;
  /** An authoritative write: this session's user becomes the owner. */
  setAuthoritative(token: OwnedToken): void;
  /** A token from a cookie lookup (`cookie`) or another tab (`tab`). */
  offer(token: OwnedToken, source: "cookie" | "tab"): TokenOffer;
  /**
   * A token the caller found to name someone other than the owner: counted, never held, and
   * `onMismatch` is called (what `offer` does with such a token).
   */
  reject(token: OwnedToken, source: "cookie" | "tab"): void;
  /** No owner, no token. */
  clear(): void;
  /** The held token when it has more than the margin left, otherwise a renewed one. */
  getFreshToken(): Promise<TokenRenewal>;
  /**
   * A new token now, deduplicated with any renewal in flight: a rotation (old tokens stop
   * working) when possible, else a re-fetch from the cookies.
   */
  renew(): Promise<TokenRenewal>;
  /** The current token from the cookies, without rotating (after another tab rotated). */
  refetch(): Promise<TokenRenewal>;
  /** Called whenever the held token changes (adopted, rotated, re-fetched). */
  onChange(listener: (token: OwnedToken) => void): () => void;
  /** Marks the held token as spent (e.g. the handshake refused it) so the next call renews. */
  invalidate(): void;
  /** Milliseconds until the next renewal should start. */
  msUntilRenewal(now?: number): number;
  diagnostics(): TokenDiagnostics;
}

/** What a rotation came to. */
export type RotationResult =
  | { kind: "rotated"; token: OwnedToken }
  /** Another tab rotated first (or the token is not the cookies' session's): re-fetch. */
  | { kind: "refetch" }
  | { kind: "error"; code: string; message: string };

export interface TokenManagerOptions {
  /** Looks up the session the cookies name; must never create a guest (`lookup_only`). */
  lookup: () => Promise<GuestSessionResult>;
  /**
   * Rotates the session's tokens (a new generation: the old tokens stop working). Without
   * it, renewals only re-fetch.
   */
  rotate?: (token: string) => Promise<RotationResult>;
  /** Tells the other tabs about a token this tab renewed. */
  announce?: (token: OwnedToken) => void;
  /** A token for someone other than the owner was offered: re-sync the identity. */
  onMismatch?: (offered: OwnedToken, source: "cookie" | "tab") => void;
  now?: () => number;
}

/**
 * The token's expiry on the local clock: now plus its lifetime (`exp - iat`, both the
 * server's), so a browser whose clock is off still renews in time. Falls back to the
 * server's expiry when the token does not say.
 */
export function toLocalExpiry(token: OwnedToken, receivedAt: number): number {
  const { iat, exp } = readTokenClaims(token.socketToken);
  if (iat === null || exp === null || exp <= iat) return Date.parse(token.expiresAt);
  return receivedAt + (exp - iat) * 1000;
}

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const now = options.now ?? Date.now;
  let held: OwnedToken | null = null;
  let expiresAtMs = 0;
  let renewing: Promise<TokenRenewal> | null = null;
  /** When the held token expires on this browser's clock (which may be off the server's). */
  let localExpiresAtMs = 0;
  let adopted = 0;
  let rejected = 0;
  const listeners = new Set<(token: OwnedToken) => void>();

  function hold(token: OwnedToken): void {
    held = { ...token };
    expiresAtMs = Date.parse(token.expiresAt);
    localExpiresAtMs = toLocalExpiry(token, now());
    for (const listener of listeners) listener({ ...token });
  }

  /** Later expiry wins; at the same expiry (one-second resolution) the higher generation. */
  function isNewer(token: OwnedToken): boolean {
    const expires = Date.parse(token.expiresAt);
    if (expires !== expiresAtMs) return expires > expiresAtMs;
    if (!held || token.socketToken === held.socketToken) return false;
    return (
      (readTokenClaims(token.socketToken).gen ?? 0) > (readTokenClaims(held.socketToken).gen ?? 0)
    );
  }

  function reject(token: OwnedToken, source: "cookie" | "tab"): void {
    rejected += 1;
    options.onMismatch?.(token, source);
  }

  function offer(token: OwnedToken, source: "cookie" | "tab"): TokenOffer {
    if (held === null || token.userId !== held.userId) {
      reject(token, source);
      return "rejected";
    }
    if (!isNewer(token)) return "kept";
    hold(token);
    adopted += 1;
    if (source === "cookie") options.announce?.(token);
    return "adopted";
  }

  async function doRotate(): Promise<TokenRenewal> {
    const current = held;
    if (!current || !options.rotate) return doRefetch();
    const result = await options.rotate(current.socketToken);
    if (result.kind === "rotated") {
      if (offer(result.token, "cookie") === "rejected") {
        return { kind: "identity_changed", session: null };
      }
      return { kind: "token", token: result.token.socketToken, userId: result.token.userId };
    }
    // Lost the race to another tab, or the token no longer matches the cookies: re-fetch.
    return doRefetch();
  }

  async function doRefetch(): Promise<TokenRenewal> {
    const result = await options.lookup();
    switch (result.kind) {
      case "session": {
        const { session } = result;
        const token = {
          userId: session.userId,
          socketToken: session.socketToken,
          expiresAt: session.expiresAt,
        };
        if (offer(token, "cookie") === "rejected") return { kind: "identity_changed", session };
        return {
          kind: "token",
          token: held?.socketToken ?? token.socketToken,
          userId: session.userId,
        };
      }
      case "miss":
      case "revoked":
        return { kind: "ended", reason: result.kind };
      case "stale":
        return { kind: "error", code: "stale:client", message: "token-manager: superseded lookup" };
      case "error":
        return { kind: "error", code: result.code, message: result.message };
    }
  }

  function renew(): Promise<TokenRenewal> {
    renewing ??= doRotate().finally(() => {
      renewing = null;
    });
    return renewing;
  }

  function refetch(): Promise<TokenRenewal> {
    renewing ??= doRefetch().finally(() => {
      renewing = null;
    });
    return renewing;
  }

  return {
    get owner() {
      return held?.userId ?? null;
    },
    current: () => (held ? { ...held } : null),
    setAuthoritative(token) {
      hold(token);
    },
    offer,
    reject,
    refetch,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear() {
      held = null;
      expiresAtMs = 0;
    },
    renew,
    getFreshToken() {
      if (held && localExpiresAtMs - now() > TOKEN_RENEW_MARGIN_IN_MS) {
        return Promise.resolve({ kind: "token", token: held.socketToken, userId: held.userId });
      }
      return renew();
    },
    invalidate() {
      expiresAtMs = 0;
      localExpiresAtMs = 0;
    },
    msUntilRenewal: (at = now()) =>
      Math.max(TOKEN_RENEW_MIN_DELAY_IN_MS, localExpiresAtMs - at - TOKEN_RENEW_MARGIN_IN_MS),
    diagnostics: () => ({
      owner: held?.userId ?? null,
      adopted,
      rejected,
      expiresAt: held?.expiresAt ?? null,
    }),
  };
}
