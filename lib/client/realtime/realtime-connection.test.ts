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
