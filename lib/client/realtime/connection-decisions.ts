/**
 * The realtime connection's decisions as pure functions: given what the connection
 * remembers and what just happened (a refused handshake, a disconnect, a revocation, a
 * freshness check, a renewed token), what to do. `openRealtimeConnection`
 * (realtime-connection.ts) holds the socket and performs these; they are tested as tables
 * (connection-decisions.test.ts).
 */
import type { IdentityNotice } from "../identity/identity-state";
import type { TokenRenewal } from "../identity/token-manager";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "error";

/** What a freshness check of the tab's identity answered (`IdentityStore.checkFreshness`). */
export type Freshness = "current" | "changed" | "unknown";

/** What the connection remembers between events. */
export interface ConnectionFacts {
  /** Connected at least once: a later failure is a reconnect. */
  everConnected: boolean;
  /** A refused handshake was retried with a renewed token (once, until the next connect). */
  retriedRefusal: boolean;
  /** The server revoked the session: the re-sync it asked for is in charge of what follows. */
  revokedByServer: boolean;
}

export const INITIAL_CONNECTION_FACTS: ConnectionFacts = {
  everConnected: false,
  retriedRefusal: false,
  revokedByServer: false,
};

/** Why a freshness check was asked for, which decides what an `unknown` answer means. */
export type CheckCause = "server_closed" | "retry";

export type ConnectionEvent =
  | { type: "connect" }
  /** A handshake failed; `active`: Socket.IO keeps trying on its own. */
  | { type: "connect_error"; active: boolean; message: string }
  | { type: "disconnect"; active: boolean; reason: string }
  /** `session:revoked` from the server. */
  | { type: "session_revoked"; reason: string }
  /** The re-sync a revocation asked for is done; `owner` is whose tokens the tab now holds. */
  | { type: "resynced"; owner: string | null }
  /** The visitor asked to try again. */
  | { type: "retry"; connected: boolean }
  /** The forced freshness check a `check` action asked for answered. */
  | { type: "checked"; fresh: Freshness; cause: CheckCause };

export type ConnectionAction =
  /** Show this state (and `error`, when given) and wait: Socket.IO reconnects on its own. */
  | { kind: "show"; state: ConnectionState; error?: string | null }
  /** Connect again with a renewed token (the held one is marked spent first). */
  | { kind: "reconnect" }
  /** Show the state, force a freshness check, then decide again (`checked`). */
  | { kind: "check"; state: ConnectionState; cause: CheckCause }
  /** Re-read the cookies as a whole, then decide again (`resynced`). */
  | { kind: "resync"; notice: IdentityNotice }
  /** Nothing: the re-sync (which rebuilds the chat for another user) is in charge, or all is well. */
  | { kind: "none" };

export interface ConnectionStep {
  facts: ConnectionFacts;
  action: ConnectionAction;
}

/** What the visitor is told when the server revoked the session for `reason`. */
export function toRevocationNotice(reason: string): IdentityNotice {
  return reason === "revoked" || reason === "signed_out_everywhere"
    ? "session_revoked"
    : "identity_changed";
}

const none = (facts: ConnectionFacts): ConnectionStep => ({ facts, action: { kind: "none" } });

/**
 * The connection's state machine: (what it remembers, what happened) → what it remembers
 * next and what to do. `userId` is the user the connection is for.
 *
 * - A refused handshake is retried once with a renewed token (it may have expired
 *   meanwhile), then shown as the error.
 * - A close by the server comes back only if the cookies still name this user; a revocation
 *   re-syncs the identity first, and reconnects only when the tab's tokens are still this
 *   user's (another user rebuilds the chat, disposing this connection).
 */
/** What a person reads for a refused connection (the server's refusal is a code). */
export function toRefusalText(message: string): string {
  if (message === "rate_limited:sockets") {
    return "Too many Foyer tabs are open in this browser. Close one, then retry.";
  }
  return message || "The server refused the connection.";
}

export function toConnectionStep(
  facts: ConnectionFacts,
  event: ConnectionEvent,
  userId: string,
): ConnectionStep {
  switch (event.type) {
    case "connect":
      return {
        facts: { ...facts, everConnected: true, retriedRefusal: false },
        action: { kind: "show", state: "connected", error: null },
      };
    case "connect_error":
      if (event.active) {
        const state = facts.everConnected ? "reconnecting" : "connecting";
        return { facts, action: { kind: "show", state } };
      }
      if (!facts.retriedRefusal) {
        return { facts: { ...facts, retriedRefusal: true }, action: { kind: "reconnect" } };
      }
      return {
        facts,
        action: {
          kind: "show",
          state: "error",
          error: toRefusalText(event.message),
        },
      };
    case "disconnect":
      if (event.active) return { facts, action: { kind: "show", state: "reconnecting" } };
      // Closed by the server (an expired token, a shutdown), unless a revocation is in charge.
      if (event.reason !== "io server disconnect" || facts.revokedByServer) return none(facts);
      return { facts, action: { kind: "check", state: "reconnecting", cause: "server_closed" } };
    case "session_revoked":
      return {
        facts: { ...facts, revokedByServer: true },
        action: { kind: "resync", notice: toRevocationNotice(event.reason) },
      };
    case "resynced":
      // Same user (a replaced session): come back with a fresh token.
      if (event.owner !== userId) return none(facts);
      return { facts: { ...facts, revokedByServer: false }, action: { kind: "reconnect" } };
    case "retry":
      if (event.connected) return none(facts);
      return { facts, action: { kind: "check", state: "connecting", cause: "retry" } };
    case "checked":
      // The cookies name someone else: the re-sync rebuilds the chat.
      if (event.fresh === "changed") return none(facts);
      if (event.fresh === "unknown" && event.cause === "server_closed") {
        return {
          facts,
          action: { kind: "show", state: "error", error: "The server closed the connection." },
        };
      }
      return { facts, action: { kind: "reconnect" } };
  }
}

/**
 * Whether a handshake may present a token: not when the freshness check found the cookies
 * naming someone else, and not when the tab's tokens belong to another user than the
 * connection's: a socket only ever presents its own user's token.
 */
export function canPresentToken(fresh: Freshness, owner: string | null, userId: string): boolean {
  return fresh !== "changed" && owner === userId;
}

/** What to do with a token renewal's outcome. */
export type RenewalAction =
  /** This user's token: present it. */
  | { kind: "present"; token: string }
  /** The renewal failed (offline, the server restarting): keep presenting the held token. */
  | { kind: "present_held" }
  /** Another user, or no session: present nothing and re-read the cookies as a whole. */
  | { kind: "resync" }
  /** A token for someone else than this connection's user: present nothing. */
  | { kind: "none" };

/**
 * A renewal's outcome for the connection of `userId`. A guest revoked because it was
 * merged into a member comes as `ended`: the re-sync waits for the member.
 */
export function toRenewalAction(renewal: TokenRenewal, userId: string): RenewalAction {
  switch (renewal.kind) {
    case "token":
      return renewal.userId === userId
        ? { kind: "present", token: renewal.token }
        : { kind: "none" };
    case "identity_changed":
    case "ended":
      return { kind: "resync" };
    case "error":
      return { kind: "present_held" };
  }
}

/**
 * Whether a token the tab now holds should replace the live socket's in place
 * (`token:refresh`): only while connected, and only when it is not the one presented.
 */
export function isInPlaceRefreshDue(
  connected: boolean,
  presented: string | null,
  token: string,
): boolean {
  return connected && token !== presented;
}
