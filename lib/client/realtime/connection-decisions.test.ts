import { describe, expect, it } from "vitest";
import type { TokenRenewal } from "../identity/token-manager";
import {
  type ConnectionAction,
  type ConnectionEvent,
  type ConnectionFacts,
  canPresentToken,
  type Freshness,
  INITIAL_CONNECTION_FACTS,
  isInPlaceRefreshDue,
  type RenewalAction,
  toConnectionStep,
  toRenewalAction,
} from "./connection-decisions";

const ME = "usr_me";
const facts = (change: Partial<ConnectionFacts> = {}): ConnectionFacts =>
  Object.freeze({ ...INITIAL_CONNECTION_FACTS, ...change });

const FIRST = facts();
const CONNECTED_ONCE = facts({ everConnected: true });
const RETRIED = facts({ retriedRefusal: true });
const REVOKED = facts({ everConnected: true, revokedByServer: true });

const refused = (message = "unauthorized:token"): ConnectionEvent => ({
  type: "connect_error",
  active: false,
  message,
});
const closed = (reason: string, active = false): ConnectionEvent => ({
  type: "disconnect",
  active,
  reason,
});
const checked = (fresh: Freshness, cause: "server_closed" | "retry"): ConnectionEvent => ({
  type: "checked",
  fresh,
  cause,
});
const NONE: ConnectionAction = { kind: "none" };
const RECONNECT: ConnectionAction = { kind: "reconnect" };

describe("toConnectionStep: (what the connection remembers, what happened) → next facts and action", () => {
  it.each<[string, ConnectionFacts, ConnectionEvent, ConnectionFacts, ConnectionAction]>([
    [
      "connected: shown, the error cleared",
      FIRST,
      { type: "connect" },
      facts({ everConnected: true }),
      { kind: "show", state: "connected", error: null },
    ],
    [
      "connected after a refusal was retried: the next refusal may be retried again",
      RETRIED,
      { type: "connect" },
      facts({ everConnected: true }),
      { kind: "show", state: "connected", error: null },
    ],
    [
      "a failed first handshake Socket.IO retries itself: wait, connecting",
      FIRST,
      { type: "connect_error", active: true, message: "xhr poll error" },
      FIRST,
      { kind: "show", state: "connecting" },
    ],
    [
      "a failed handshake after a connection Socket.IO retries itself: wait, reconnecting",
      CONNECTED_ONCE,
      { type: "connect_error", active: true, message: "websocket error" },
      CONNECTED_ONCE,
      { kind: "show", state: "reconnecting" },
    ],
    [
      "a refused handshake: renew the token (it may have expired) and connect again, once",
      FIRST,
      refused(),
      facts({ retriedRefusal: true }),
      RECONNECT,
    ],
    [
      "a refused handshake after a connection: renew and connect again, once",
      CONNECTED_ONCE,
      refused(),
      facts({ everConnected: true, retriedRefusal: true }),
      RECONNECT,
    ],
    [
      "refused: a second refusal in a row is not retried, it is shown with the server's message",
      RETRIED,
      refused("unauthorized:token"),
      RETRIED,
      { kind: "show", state: "error", error: "unauthorized:token" },
    ],
    [
      "refused: a second refusal without a message says the server refused",
      RETRIED,
      refused(""),
      RETRIED,
      { kind: "show", state: "error", error: "The server refused the connection." },
    ],
    [
      "refused: over the socket cap, it says in words to close a tab",
      RETRIED,
      refused("rate_limited:sockets"),
      RETRIED,
      {
        kind: "show",
        state: "error",
        error: "Too many Foyer tabs are open in this browser. Close one, then retry.",
      },
    ],
    [
      "a dropped transport Socket.IO reconnects itself: wait, reconnecting",
      CONNECTED_ONCE,
      closed("transport close", true),
      CONNECTED_ONCE,
      { kind: "show", state: "reconnecting" },
    ],
    [
      "a close Socket.IO still retries itself wins over the reason",
      CONNECTED_ONCE,
      closed("io server disconnect", true),
      CONNECTED_ONCE,
      { kind: "show", state: "reconnecting" },
    ],
    [
      "closed by the server (an expired token, a shutdown): check the cookies still name us first",
      CONNECTED_ONCE,
      closed("io server disconnect"),
      CONNECTED_ONCE,
      { kind: "check", state: "reconnecting", cause: "server_closed" },
    ],
    [
      "refused: closed by the server after a revocation: the re-sync is in charge, no reconnect",
      REVOKED,
      closed("io server disconnect"),
      REVOKED,
      NONE,
    ],
    [
      "closed by this tab (dispose): nothing",
      CONNECTED_ONCE,
      closed("io client disconnect"),
      CONNECTED_ONCE,
      NONE,
    ],
    [
      "revoked from elsewhere: re-sync the identity, telling the visitor the session ended",
      CONNECTED_ONCE,
      { type: "session_revoked", reason: "revoked" },
      REVOKED,
      { kind: "resync", notice: "session_revoked" },
    ],
    [
      "signed out everywhere: re-sync, the session ended",
      CONNECTED_ONCE,
      { type: "session_revoked", reason: "signed_out_everywhere" },
      REVOKED,
      { kind: "resync", notice: "session_revoked" },
    ],
    [
      "a guest merged into a member: re-sync, the identity changed",
      CONNECTED_ONCE,
      { type: "session_revoked", reason: "merged" },
      REVOKED,
      { kind: "resync", notice: "identity_changed" },
    ],
    [
      "replaced by a newer sign-in: re-sync, the identity changed",
      CONNECTED_ONCE,
      { type: "session_revoked", reason: "replaced" },
      REVOKED,
      { kind: "resync", notice: "identity_changed" },
    ],
    [
      "re-synced to the same user (a replaced session): reconnect with a fresh token",
      REVOKED,
      { type: "resynced", owner: ME },
      CONNECTED_ONCE,
      RECONNECT,
    ],
    [
      "refused: re-synced to another user: never reconnect this socket (the chat is rebuilt)",
      REVOKED,
      { type: "resynced", owner: "usr_other" },
      REVOKED,
      NONE,
    ],
    [
      "refused: re-synced to nobody (the session ended): never reconnect",
      REVOKED,
      { type: "resynced", owner: null },
      REVOKED,
      NONE,
    ],
    [
      "try again while connected: nothing",
      CONNECTED_ONCE,
      { type: "retry", connected: true },
      CONNECTED_ONCE,
      NONE,
    ],
    [
      "try again while down: check the cookies still name us first, connecting",
      RETRIED,
      { type: "retry", connected: false },
      RETRIED,
      { kind: "check", state: "connecting", cause: "retry" },
    ],
    [
      "refused: after a server close the cookies name someone else: the re-sync rebuilds the chat",
      CONNECTED_ONCE,
      checked("changed", "server_closed"),
      CONNECTED_ONCE,
      NONE,
    ],
    [
      "refused: on try again the cookies name someone else: the re-sync rebuilds the chat",
      CONNECTED_ONCE,
      checked("changed", "retry"),
      CONNECTED_ONCE,
      NONE,
    ],
    [
      "after a server close the cookies could not be read: shown as the error",
      CONNECTED_ONCE,
      checked("unknown", "server_closed"),
      CONNECTED_ONCE,
      { kind: "show", state: "error", error: "The server closed the connection." },
    ],
    [
      "on try again the cookies could not be read: the visitor asked, so connect",
      RETRIED,
      checked("unknown", "retry"),
      RETRIED,
      RECONNECT,
    ],
    [
      "after a server close the cookies still name us: reconnect with a fresh token",
      CONNECTED_ONCE,
      checked("current", "server_closed"),
      CONNECTED_ONCE,
      RECONNECT,
    ],
    [
      "on try again the cookies still name us: reconnect with a fresh token",
      RETRIED,
      checked("current", "retry"),
      RETRIED,
      RECONNECT,
    ],
  ])("%s", (_name, before, event, after, action) => {
    // The facts are frozen: a decision that mutated them would throw here.
    expect(toConnectionStep(before, event, ME)).toEqual({ facts: after, action });
  });
});

describe("canPresentToken: may the handshake present a token?", () => {
  it.each<[string, Freshness, string | null, boolean]>([
    ["the cookies still name us and the tokens are ours", "current", ME, true],
    [
      "the cookies could not be read, the tokens are ours (the server re-checks)",
      "unknown",
      ME,
      true,
    ],
    ["refused: the cookies name someone else", "changed", ME, false],
    ["refused: the tokens are another user's", "current", "usr_other", false],
    ["refused: the tab holds no tokens", "current", null, false],
    ["refused: no tokens and the cookies unread", "unknown", null, false],
  ])("%s", (_name, fresh, owner, expected) => {
    expect(canPresentToken(fresh, owner, ME)).toBe(expected);
  });
});

describe("toRenewalAction: a token renewal's outcome → what the connection presents", () => {
  it.each<[string, TokenRenewal, RenewalAction]>([
    [
      "our user's token: present it",
      { kind: "token", token: "tok_new", userId: ME },
      { kind: "present", token: "tok_new" },
    ],
    [
      "refused: another user's token is never presented on this connection",
      { kind: "token", token: "tok_other", userId: "usr_other" },
      { kind: "none" },
    ],
    [
      "the cookies name another user: re-sync, present nothing",
      { kind: "identity_changed", session: null },
      { kind: "resync" },
    ],
    [
      "the cookies name another user (with the session): re-sync, present nothing",
      {
        kind: "identity_changed",
        session: {
          userId: "usr_other",
          kind: "member",
          socketToken: "tok_other",
          expiresAt: "2999-01-01T00:00:00.000Z",
        },
      },
      { kind: "resync" },
    ],
    [
      "revoked (a merged guest too): re-sync",
      { kind: "ended", reason: "revoked" },
      { kind: "resync" },
    ],
    ["the cookies name nobody: re-sync", { kind: "ended", reason: "miss" }, { kind: "resync" }],
    [
      "the renewal failed (offline): keep presenting the held token",
      { kind: "error", code: "network:client", message: "offline" },
      { kind: "present_held" },
    ],
  ])("%s", (_name, renewal, expected) => {
    expect(toRenewalAction(renewal, ME)).toEqual(expected);
  });
});

describe("isInPlaceRefreshDue: swap a held token into the live socket?", () => {
  it.each<[string, boolean, string | null, string, boolean]>([
    ["connected, a newer token than the one presented", true, "tok_old", "tok_new", true],
    ["connected, nothing presented yet", true, null, "tok_new", true],
    ["refused: connected, the very token presented", true, "tok_same", "tok_same", false],
    ["refused: not connected (the next handshake presents it)", false, "tok_old", "tok_new", false],
  ])("%s", (_name, connected, presented, token, expected) => {
    expect(isInPlaceRefreshDue(connected, presented, token)).toBe(expected);
  });
});
