import { describe, expect, it, vi } from "vitest";
import type { GuestSessionResponse } from "../../shared/contracts/guest-session";
import { createGuestSessionClient } from "./guest-session-client";
import { createIdentityStore, type IdentityState } from "./identity-store";

const FUTURE = "2999-01-01T00:00:00.000Z";
const session = (userId: string, kind: "guest" | "member" = "guest", token = `tok_${userId}`) =>
  ({ userId, kind, socketToken: token, expiresAt: FUTURE }) satisfies GuestSessionResponse;

/** A fetch whose answers the test releases one by one, in any order. */
function controllableFetch() {
  const pending: { mode: string; resolve: (r: Response) => void }[] = [];
  const fetch = vi.fn(
    (_path: string, init: RequestInit) =>
      new Promise<Response>((resolve) => {
        pending.push({ mode: JSON.parse(String(init.body)).mode, resolve });
      }),
  );
  const answer = (index: number, body: GuestSessionResponse | null, status = 200) =>
    pending[index]?.resolve(
      body === null
        ? new Response(null, { status })
        : new Response(JSON.stringify(body), {
            status,
            headers: { "content-type": "application/json" },
          }),
    );
  return { fetch, pending, answer };
}

function setup() {
  const server = controllableFetch();
  const guestSessions = createGuestSessionClient({
    fetch: server.fetch,
    locks: null,
    legacyStorage: null,
  });
  const queryClient = { clear: vi.fn() };
  const posted: unknown[] = [];
  let clock = 1_000_000;
  const store = createIdentityStore({
    guestSessions,
    queryClient,
    post: (m) => posted.push(m),
    now: () => clock,
  });
  const advance = (ms: number) => {
    clock += ms;
  };
  return { store, server, queryClient, posted, advance };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const ready = (state: IdentityState) => (state.status === "ready" ? state : null);

describe("identity store", () => {
  it("cold start: applies the cookies' identity, owns its token, tells the other tabs", async () => {
    const { store, server, posted } = setup();
    const started = store.start();
    server.answer(0, session("usr_a"));
    await started;
    expect(ready(store.getState())?.session.userId).toBe("usr_a");
    expect(store.tokens.owner).toBe("usr_a");
    expect(posted).toEqual([{ type: "identity:changed", userId: "usr_a", kind: "guest" }]);
  });

  it("re-syncs as a whole when another tab signed in: cache cleared, new owner, new epoch, notice", async () => {
    const { store, server, queryClient } = setup();
    const started = store.start();
    server.answer(0, session("usr_a"));
    await started;
    const epoch = ready(store.getState())?.epoch;

    store.receive({ type: "identity:changed", from: "tab_x", userId: "usr_m", kind: "member" });
    await flush();
    expect(server.pending[1]?.mode).toBe("lookup_or_create");
    server.answer(1, session("usr_m", "member"));
    await flush();
    const now = ready(store.getState());
    expect(now?.session.userId).toBe("usr_m");
    expect(now?.epoch).toBe((epoch ?? 0) + 1);
    expect(now?.notice).toBe("signed_in_elsewhere");
    expect(store.tokens.owner).toBe("usr_m");
    expect(queryClient.clear).toHaveBeenCalled();
  });

  it("ignores an identity message naming the user it already is", async () => {
    const { store, server } = setup();
    const started = store.start();
    server.answer(0, session("usr_a"));
    await started;
    store.receive({ type: "identity:changed", from: "tab_x", userId: "usr_a", kind: "guest" });
    await flush();
    expect(server.pending).toHaveLength(1);
  });

  it("never lets an older answer overwrite a newer one (two re-syncs, answered out of order)", async () => {
    const { store, server } = setup();
    const started = store.start();
    server.answer(0, session("usr_a"));
    await started;
    const first = store.resync("identity_changed");
    const second = store.resync("identity_changed");
    server.answer(2, session("usr_new"));
    await second;
    server.answer(1, session("usr_old"));
    await first;
    expect(ready(store.getState())?.session.userId).toBe("usr_new");
    expect(store.tokens.owner).toBe("usr_new");
  });

  it("adopts a same-user token from another tab and rejects another user's (then re-checks)", async () => {
    const { store, server } = setup();
    const started = store.start();
    server.answer(0, session("usr_a"));
    await started;
    store.receive({
      type: "token:updated",
      from: "tab_x",
      userId: "usr_a",
      socketToken: "tok_fresher",
      expiresAt: "2999-06-01T00:00:00.000Z",
    });
    expect(store.tokens.current()?.socketToken).toBe("tok_fresher");
    store.receive({
      type: "token:updated",
      from: "tab_evil",
      userId: "usr_b",
      socketToken: "tok_of_b",
      expiresAt: "2999-12-01T00:00:00.000Z",
    });
    expect(store.tokens.current()?.socketToken).toBe("tok_fresher");
    await flush();
    // The rejection triggered a re-read of the cookies, which still name usr_a.
    server.answer(1, session("usr_a", "guest", "tok_again"));
    await flush();
    expect(ready(store.getState())?.session.userId).toBe("usr_a");
    expect(store.diagnostics()).toMatchObject({ tokenAdopted: 1, tokenRejected: 1 });
  });

  it("checks freshness with a lookup that never mints, only after the window or when forced", async () => {
    const { store, server, advance } = setup();
    const started = store.start();
    server.answer(0, session("usr_a"));
    await started;
    expect(await store.checkFreshness()).toBe("current");
    expect(server.pending).toHaveLength(1);

    advance(5_000);
    const check = store.checkFreshness();
    await flush();
    expect(server.pending[1]?.mode).toBe("lookup_only");
    server.answer(1, session("usr_m", "member"));
    await flush();
    server.answer(2, session("usr_m", "member"));
    expect(await check).toBe("changed");
    expect(ready(store.getState())?.session.userId).toBe("usr_m");
  });

  it("a message that arrives while loading is applied once the load settles", async () => {
    const { store, server } = setup();
    const started = store.start();
    store.receive({ type: "identity:changed", from: "tab_x", userId: "usr_b", kind: "guest" });
    server.answer(0, session("usr_a"));
    await flush();
    expect(server.pending[1]?.mode).toBe("lookup_or_create");
    server.answer(1, session("usr_b"));
    await started;
    expect(ready(store.getState())?.session.userId).toBe("usr_b");
  });

  it("keeps the identity on an error, and ends it on a revoked guest", async () => {
    const { store, server } = setup();
    const started = store.start();
    server.answer(0, session("usr_a"));
    await started;
    const failing = store.resync();
    server.answer(1, null, 503);
    await failing;
    expect(ready(store.getState())?.session.userId).toBe("usr_a");

    const revoked = store.resync();
    server.pending[2]?.resolve(
      new Response(JSON.stringify({ error: { code: "revoked:guest_session", message: "x" } }), {
        status: 403,
      }),
    );
    await revoked;
    expect(store.getState()).toEqual({ status: "ended", reason: "revoked" });
    expect(store.tokens.owner).toBeNull();
  });

  it("verifies a newly issued guest cookie with a lookup that never mints before using it", async () => {
    const { store, server } = setup();
    const started = store.start();
    server.answer(0, { ...session("usr_new"), issued: true });
    await flush();
    expect(server.pending[1]?.mode).toBe("lookup_only");
    expect(store.getState().status).toBe("loading");
    server.answer(1, session("usr_new"));
    await started;
    expect(ready(store.getState())?.session.userId).toBe("usr_new");
  });

  it("a cookie the browser dropped: one fresh try, then a clear error, never a silent new guest", async () => {
    const server = controllableFetch();
    const reports: unknown[] = [];
    const store = createIdentityStore({
      guestSessions: createGuestSessionClient({
        fetch: server.fetch,
        locks: null,
        legacyStorage: null,
      }),
      queryClient: { clear: vi.fn() },
      post: () => {},
      reportHandoff: (step, result) => reports.push([step, result.kind]),
    });
    const started = store.start();
    server.answer(0, { ...session("usr_1"), issued: true });
    await flush();
    server.answer(1, null, 204);
    await flush();
    server.answer(2, { ...session("usr_2"), issued: true });
    await flush();
    server.answer(3, null, 204);
    await started;
    expect(store.getState()).toMatchObject({ status: "error", code: "handoff:guest_created" });
    expect(reports).toEqual([
      ["guest_created", "mismatch"],
      ["guest_created", "mismatch"],
    ]);
  });

  it("a guest merged by a sign-in in another tab waits for the member cookie, never minting", async () => {
    const server = controllableFetch();
    const store = createIdentityStore({
      guestSessions: createGuestSessionClient({
        fetch: server.fetch,
        locks: null,
        legacyStorage: null,
      }),
      queryClient: { clear: vi.fn() },
      post: () => {},
      sleep: async () => {},
    });
    const started = store.start();
    server.answer(0, session("usr_guest"));
    await started;
    const resynced = store.resync("identity_changed");
    server.pending[1]?.resolve(
      new Response(
        JSON.stringify({
          error: { code: "revoked:guest_session", message: "x", reason: "merged" },
        }),
        { status: 403 },
      ),
    );
    await resynced;
    expect(store.getState().status).toBe("loading");
    await flush();
    // The other tab's answer has not landed yet: the cookies name nobody.
    expect(server.pending[2]?.mode).toBe("lookup_only");
    server.answer(2, null, 204);
    await flush();
    expect(server.pending[3]?.mode).toBe("lookup_only");
    server.answer(3, session("usr_member", "member"));
    await flush();
    const now = ready(store.getState());
    expect(now?.session.userId).toBe("usr_member");
    expect(now?.notice).toBe("signed_in_elsewhere");
    expect(server.pending.slice(1).map((p) => p.mode)).toEqual([
      "lookup_or_create",
      "lookup_only",
      "lookup_only",
    ]);
  });

  it("a re-sync that cannot reach the server is tried again, backing off, until it answers", async () => {
    vi.useFakeTimers();
    try {
      const { store, server } = setup();
      const started = store.start();
      server.answer(0, session("usr_g"));
      await started;
      const first = store.resync("identity_changed");
      server.answer(1, null, 503);
      await first;
      expect(ready(store.getState())?.session.userId).toBe("usr_g");
      await vi.advanceTimersByTimeAsync(1_000);
      expect(server.pending[2]?.mode).toBe("lookup_or_create");
      server.answer(2, null, 503);
      await vi.advanceTimersByTimeAsync(1_999);
      expect(server.pending).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1);
      server.answer(3, session("usr_member", "member"));
      await vi.advanceTimersByTimeAsync(0);
      expect(ready(store.getState())?.session.userId).toBe("usr_member");
    } finally {
      vi.useRealTimers();
    }
  });
});
