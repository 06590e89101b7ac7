import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { IdentityState, IdentityStore } from "../identity/identity-store";

/** Sockets the connection module created, as inert stand-ins (no network). */
const created: FakeSocket[] = [];

class FakeSocket {
  connected = false;
  active = true;
  sendBuffer: unknown[] = [];
  io = { engine: { close: vi.fn() } };
  handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  connect = vi.fn();
  disconnect = vi.fn(() => {
    this.active = false;
  });
  on(event: string, handler: (...args: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  removeAllListeners = vi.fn(() => this.handlers.clear());
  fire(event: string, ...args: unknown[]) {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
}

vi.mock("./socket", () => ({
  createFoyerSocket: () => {
    const socket = new FakeSocket();
    created.push(socket);
    return socket;
  },
  emitWithAck: vi.fn(),
  toTokenSubject: () => "usr_1",
}));

const { prepareRealtimeConnection, takeRealtimeConnection } = await import("./realtime-connection");

const ready = (userId: string, epoch: number): IdentityState => ({
  status: "ready",
  session: { userId, kind: "guest", socketToken: "t", expiresAt: "2030-01-01T00:00:00.000Z" },
  epoch,
  notice: null,
});

function fakeStore(initial: IdentityState) {
  let state = initial;
  const listeners = new Set<() => void>();
  const store = {
    getState: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tokens: {
      onChange: () => () => {},
      msUntilRenewal: () => 60_000,
    },
  } as unknown as IdentityStore;
  return {
    store,
    set(next: IdentityState) {
      state = next;
      for (const listener of listeners) listener();
    },
  };
}

beforeEach(() => {
  created.length = 0;
  vi.stubGlobal("window", {});
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("a connection opened ahead of the chat", () => {
  it("connects at once and is the one the chat takes for the same user and epoch", () => {
    const { store } = fakeStore(ready("usr_1", 1));
    prepareRealtimeConnection(store);
    expect(created).toHaveLength(1);
    expect(created[0]?.connect).toHaveBeenCalledTimes(1);
    // Connected before the chat mounted: the chat sees it connected.
    created[0]?.fire("connect");
    const taken = takeRealtimeConnection("usr_1", store);
    expect(taken.socket).toBe(created[0]);
    expect(taken.getSnapshot().state).toBe("connected");
    expect(created).toHaveLength(1);
    // Taken once: the next mount opens its own.
    takeRealtimeConnection("usr_1", store);
    expect(created).toHaveLength(2);
  });

  it("is closed, never used, when the identity changed before the chat mounted", () => {
    const { store, set } = fakeStore(ready("usr_1", 1));
    prepareRealtimeConnection(store);
    set(ready("usr_2", 2));
    expect(created[0]?.disconnect).toHaveBeenCalled();
    expect(created[0]?.sendBuffer).toEqual([]);
    const taken = takeRealtimeConnection("usr_2", store);
    expect(taken.socket).toBe(created[1]);
  });

  it("is closed when the identity ends, and a later epoch of the same user gets a new one", () => {
    const ended = fakeStore(ready("usr_1", 1));
    prepareRealtimeConnection(ended.store);
    ended.set({ status: "ended", reason: "revoked" });
    expect(created[0]?.disconnect).toHaveBeenCalled();

    const later = fakeStore(ready("usr_1", 1));
    prepareRealtimeConnection(later.store);
    const ahead = created[1];
    // Same user, another epoch (the chat remounted for a re-sync): the early socket is stale.
    const state = ready("usr_1", 3);
    (later.store as unknown as { getState: () => IdentityState }).getState = () => state;
    const taken = takeRealtimeConnection("usr_1", later.store);
    expect(taken.socket).not.toBe(ahead);
    expect(ahead?.disconnect).toHaveBeenCalled();
  });

  it("opens nothing while the identity is not known", () => {
    const { store } = fakeStore({ status: "loading" });
    prepareRealtimeConnection(store);
    expect(created).toHaveLength(0);
  });
});

describe("a connection the chat already opened for itself", () => {
  it("is never duplicated by a late preparation for the same epoch", () => {
    const { store } = fakeStore(ready("usr_9", 7));
    takeRealtimeConnection("usr_9", store);
    prepareRealtimeConnection(store);
    expect(created).toHaveLength(1);
  });
});

/** A store whose re-sync, freshness check and token owner the test sets. */
function wiredStore(options: { owner: string | null; fresh?: "current" | "changed" | "unknown" }) {
  const tokens = {
    owner: options.owner,
    onChange: () => () => {},
    msUntilRenewal: () => 60_000,
    invalidate: vi.fn(),
  };
  const store = {
    getState: () => ready("usr_1", 1),
    subscribe: () => () => {},
    tokens,
    resync: vi.fn(async () => {}),
    checkFreshness: vi.fn(async () => options.fresh ?? "current"),
  };
  return { store: store as unknown as IdentityStore, tokens, resync: store.resync };
}

describe("a connection's socket events, performed", () => {
  it("retries a refused handshake once with a renewed token, then shows the error", () => {
    const { store, tokens } = wiredStore({ owner: "usr_1" });
    const connection = takeRealtimeConnection("usr_1", store);
    const socket = created.at(-1);
    if (!socket) throw new Error("test: no socket was created");
    socket.active = false;
    socket.fire("connect_error", new Error("unauthorized:token"));
    expect(tokens.invalidate).toHaveBeenCalledTimes(1);
    expect(socket.connect).toHaveBeenCalledTimes(2);
    socket.fire("connect_error", new Error("unauthorized:token"));
    expect(socket.connect).toHaveBeenCalledTimes(2);
    expect(connection.getSnapshot()).toMatchObject({ state: "error", error: "unauthorized:token" });
    connection.dispose();
  });

  it("re-syncs on a revocation and reconnects only while the tokens are still this user's", async () => {
    const same = wiredStore({ owner: "usr_1" });
    const kept = takeRealtimeConnection("usr_1", same.store);
    const socket = created.at(-1);
    socket?.fire("session:revoked", { reason: "revoked" });
    expect(same.resync).toHaveBeenCalledWith("session_revoked");
    await vi.advanceTimersByTimeAsync(0);
    expect(same.tokens.invalidate).toHaveBeenCalledTimes(1);
    expect(socket?.connect).toHaveBeenCalledTimes(2);
    kept.dispose();

    const other = wiredStore({ owner: "usr_2" });
    const rebuilt = takeRealtimeConnection("usr_1", other.store);
    const otherSocket = created.at(-1);
    otherSocket?.fire("session:revoked", { reason: "merged" });
    expect(other.resync).toHaveBeenCalledWith("identity_changed");
    await vi.advanceTimersByTimeAsync(0);
    expect(other.tokens.invalidate).not.toHaveBeenCalled();
    expect(otherSocket?.connect).toHaveBeenCalledTimes(1);
    rebuilt.dispose();
  });

  it("after a close by the server, comes back only once the cookies are known to name us", async () => {
    const unread = wiredStore({ owner: "usr_1", fresh: "unknown" });
    const connection = takeRealtimeConnection("usr_1", unread.store);
    const socket = created.at(-1);
    if (!socket) throw new Error("test: no socket was created");
    socket.active = false;
    socket.fire("disconnect", "io server disconnect");
    expect(connection.getSnapshot().state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.getSnapshot()).toMatchObject({
      state: "error",
      error: "The server closed the connection.",
    });
    expect(socket.connect).toHaveBeenCalledTimes(1);
    connection.dispose();

    const fresh = wiredStore({ owner: "usr_1", fresh: "current" });
    const back = takeRealtimeConnection("usr_1", fresh.store);
    const again = created.at(-1);
    if (!again) throw new Error("test: no socket was created");
    again.active = false;
    again.fire("disconnect", "io server disconnect");
    await vi.advanceTimersByTimeAsync(0);
    expect(fresh.tokens.invalidate).toHaveBeenCalledTimes(1);
    expect(again.connect).toHaveBeenCalledTimes(2);
    back.dispose();
  });
});
