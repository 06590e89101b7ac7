import { describe, expect, it, vi } from "vitest";
import {
  type ChannelLike,
  notifyIdentityChanged,
  parseTabMessage,
  postTabMessage,
  subscribeTabMessages,
  TAB_ID,
} from "./tab-sync";

/** Two fake BroadcastChannel ends: what one posts, the other receives (never the sender). */
function pair(): [ChannelLike, ChannelLike] {
  const listeners = new Map<ChannelLike, Set<(e: { data: unknown }) => void>>();
  const make = (): ChannelLike => {
    const self: ChannelLike = {
      postMessage(message) {
        for (const [end, set] of listeners) {
          if (end === self) continue;
          for (const l of set) l({ data: structuredClone(message) });
        }
      },
      addEventListener: (_t, l) => listeners.get(self)?.add(l),
      removeEventListener: (_t, l) => listeners.get(self)?.delete(l),
    };
    listeners.set(self, new Set());
    return self;
  };
  return [make(), make()];
}

const TOKEN = {
  type: "token:updated",
  from: "tab_other",
  userId: "usr_a",
  socketToken: "a.b.c",
  expiresAt: "2999-01-01T00:00:00.000Z",
};

describe("tab-sync", () => {
  it("accepts well-formed messages only", () => {
    expect(parseTabMessage(TOKEN)).toEqual(TOKEN);
    for (const bad of [
      null,
      "text",
      { ...TOKEN, type: "token:stolen" },
      { ...TOKEN, userId: "usr-with-dash" },
      { ...TOKEN, socketToken: "" },
      { ...TOKEN, expiresAt: "tomorrow" },
      { type: "identity:changed", from: "t", userId: 42, kind: "guest" },
      { type: "identity:changed", from: "t", userId: "usr_a", kind: "admin" },
    ]) {
      expect(parseTabMessage(bad)).toBeNull();
    }
  });

  it("delivers valid messages from other tabs and drops malformed ones", () => {
    const [a, b] = pair();
    const received = vi.fn();
    const stop = subscribeTabMessages(received, b);
    notifyIdentityChanged({ userId: "usr_m", kind: "member" }, a);
    a.postMessage({ type: "token:updated", userId: "usr_x" });
    postTabMessage(
      { type: "token:updated", userId: "usr_a", socketToken: "t", expiresAt: TOKEN.expiresAt },
      a,
    );
    expect(received.mock.calls.map(([m]) => m.type)).toEqual(["identity:changed", "token:updated"]);
    expect(received.mock.calls[0]?.[0]).toMatchObject({
      userId: "usr_m",
      kind: "member",
      from: TAB_ID,
    });
    stop();
    notifyIdentityChanged(null, a);
    expect(received).toHaveBeenCalledTimes(2);
  });
});
