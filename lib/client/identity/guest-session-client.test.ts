import { describe, expect, it, vi } from "vitest";
import {
  createGuestSessionClient,
  GUEST_SESSION_LOCK,
  GUEST_SESSION_PATH,
  LEGACY_TOKEN_STORAGE_KEY,
  toGuestSessionResult,
} from "./guest-session-client";

const SESSION = {
  userId: "usr_abc123",
  kind: "guest",
  socketToken: "tok.en.value",
  expiresAt: "2030-01-01T00:00:00.000Z",
} as const;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const errorBody = (code: string) => ({ error: { code, message: `m ${code}` } });

describe("toGuestSessionResult", () => {
  it("maps 200 to a session", async () => {
    expect(await toGuestSessionResult(json(200, SESSION))).toEqual({
      kind: "session",
      session: SESSION,
    });
  });

  it("maps 204 to a miss", async () => {
    expect(await toGuestSessionResult(new Response(null, { status: 204 }))).toEqual({
      kind: "miss",
    });
  });

  it("maps a revoked 403 to revoked, but a 403 origin refusal to an error", async () => {
    expect(await toGuestSessionResult(json(403, errorBody("revoked:guest_session")))).toEqual({
      kind: "revoked",
    });
    expect(await toGuestSessionResult(json(403, errorBody("forbidden:origin")))).toMatchObject({
      kind: "error",
      code: "forbidden:origin",
      status: 403,
    });
  });

  it.each([
    [502, "bad_gateway:authority"],
    [503, "unavailable:authority"],
    [504, "timeout:authority"],
    [429, "rate_limited:guest_creation"],
  ])("maps %i to an error with the server's code, never a miss", async (status, code) => {
    expect(await toGuestSessionResult(json(status, errorBody(code)))).toEqual({
      kind: "error",
      code,
      message: `m ${code}`,
      status,
    });
  });

  it("falls back to the status when the error body is unreadable", async () => {
    const result = await toGuestSessionResult(new Response("<html>", { status: 503 }));
    expect(result).toMatchObject({ kind: "error", code: "unavailable:authority", status: 503 });
    const other = await toGuestSessionResult(new Response("", { status: 500 }));
    expect(other).toMatchObject({ kind: "error", code: "internal:server", status: 500 });
  });

  it("treats a 200 without a valid session as an error, not a session", async () => {
    expect(await toGuestSessionResult(json(200, { userId: "bad-id" }))).toMatchObject({
      kind: "error",
      code: "bad_response:client",
    });
  });
});

describe("createGuestSessionClient", () => {
  it("sends one same-origin JSON POST per mode, shared by concurrent callers", async () => {
    let release!: (r: Response) => void;
    const fetch = vi.fn(() => new Promise<Response>((resolve) => (release = resolve)));
    const client = createGuestSessionClient({ fetch, locks: null, legacyStorage: null });

    const calls = [client.request("lookup_or_create"), client.request("lookup_or_create")];
    expect(fetch).toHaveBeenCalledTimes(1);
    release(json(200, SESSION));
    const [a, b] = await Promise.all(calls);
    expect(a).toEqual({ kind: "session", session: SESSION });
    expect(b).toBe(a);

    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe(GUEST_SESSION_PATH);
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("same-origin");
    expect(new Headers(init.headers).get("Content-Type")).toBe("application/json");
    expect(JSON.parse(String(init.body))).toEqual({ mode: "lookup_or_create" });
  });

  it("starts a new request once the previous one settled, and keeps modes apart", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const client = createGuestSessionClient({ fetch, locks: null, legacyStorage: null });
    await client.request("lookup_only");
    await Promise.all([client.request("lookup_only"), client.request("lookup_or_create")]);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("runs the request inside the cross-tab Web Lock", async () => {
    const order: string[] = [];
    const locks = {
      async request<T>(name: string, cb: () => Promise<T>): Promise<T> {
        order.push(`lock ${name}`);
        const result = await cb();
        order.push("unlock");
        return result;
      },
    };
    const fetch = vi.fn(async () => {
      order.push("fetch");
      return json(200, SESSION);
    });
    await createGuestSessionClient({ fetch, locks }).request("lookup_or_create");
    expect(order).toEqual([`lock ${GUEST_SESSION_LOCK}`, "fetch", "unlock"]);
  });

  it("maps a network failure and a timeout to errors", async () => {
    const failing = createGuestSessionClient({
      fetch: async () => Promise.reject(new TypeError("down")),
      locks: null,
    });
    expect(await failing.request("lookup_or_create")).toMatchObject({
      kind: "error",
      code: "network:client",
      status: 0,
    });

    const hanging = createGuestSessionClient({
      locks: null,
      timeoutInMs: 20,
      fetch: (_path, init) =>
        new Promise((_resolve, reject) =>
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
        ),
    });
    expect(await hanging.request("lookup_or_create")).toMatchObject({
      kind: "error",
      code: "timeout:client",
    });
  });

  it("a refresh never shares a request started before it, and the older answer is stale", async () => {
    const releases: ((r: Response) => void)[] = [];
    const fetch = vi.fn(() => new Promise<Response>((resolve) => releases.push(resolve)));
    const client = createGuestSessionClient({ fetch, locks: null, legacyStorage: null });
    const before = client.request("lookup_only");
    const refreshed = client.refresh("lookup_only");
    expect(fetch).toHaveBeenCalledTimes(2);
    // The newer answer lands first; the older one arrives later and must not overwrite it.
    releases[1]?.(json(200, { ...SESSION, userId: "usr_new" }));
    expect(await refreshed).toMatchObject({ kind: "session", session: { userId: "usr_new" } });
    releases[0]?.(json(200, { ...SESSION, userId: "usr_old" }));
    expect(await before).toEqual({ kind: "stale" });
    expect(client.current()?.userId).toBe("usr_new");
  });

  it("clear() forgets the session and makes answers already in flight stale", async () => {
    let release!: (r: Response) => void;
    const fetch = vi.fn(
      (): Promise<Response> =>
        fetch.mock.calls.length === 1
          ? Promise.resolve(json(200, SESSION))
          : new Promise((resolve) => (release = resolve)),
    );
    const client = createGuestSessionClient({ fetch, locks: null, legacyStorage: null });
    await client.request("lookup_or_create");
    expect(client.current()).toEqual(SESSION);
    const inFlight = client.request("lookup_only");
    client.clear();
    expect(client.current()).toBeNull();
    release(json(200, SESSION));
    expect(await inFlight).toEqual({ kind: "stale" });
    expect(client.current()).toBeNull();
  });

  it("getExistingGuestBearerToken() never mints: memory first, then lookup_only", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const client = createGuestSessionClient({ fetch, locks: null, legacyStorage: null });
    expect(await client.getExistingGuestBearerToken()).toBeNull();
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(JSON.parse(String(init.body))).toEqual({ mode: "lookup_only" });

    const withSession = createGuestSessionClient({
      fetch: async () => json(200, SESSION),
      locks: null,
    });
    await withSession.request("lookup_or_create");
    expect(await withSession.getExistingGuestBearerToken()).toBe(SESSION.socketToken);
  });

  it("takes the Web Lock for creation only, not for lookups that never mint", async () => {
    const names: string[] = [];
    const locks = {
      async request<T>(name: string, cb: () => Promise<T>): Promise<T> {
        names.push(name);
        return cb();
      },
    };
    const client = createGuestSessionClient({ fetch: async () => json(200, SESSION), locks });
    await client.request("lookup_only");
    await client.request("lookup_or_create");
    expect(names).toEqual([GUEST_SESSION_LOCK]);
  });
});

/** A Web Lock manager for tests: one holder at a time, FIFO. */
function createTestLocks() {
  let tail = Promise.resolve();
  return {
    request<T>(_name: string, cb: () => Promise<T>): Promise<T> {
      const run = tail.then(cb);
      tail = run.then(
        () => {},
        () => {},
      );
      return run;
    },
  };
}

/** A fake authority: one cookie jar shared by every "tab", creating a guest when there is none. */
function createFakeServer() {
  let cookie: string | null = null;
  let created = 0;
  const fetch = async (_path: string, init: RequestInit): Promise<Response> => {
    await new Promise((r) => setTimeout(r, 1));
    const { mode } = JSON.parse(String(init.body)) as { mode: string };
    if (cookie === null) {
      if (mode === "lookup_only") return new Response(null, { status: 204 });
      created += 1;
      cookie = `usr_guest${created}`;
    }
    return json(200, { ...SESSION, userId: cookie });
  };
  return { fetch, created: () => created };
}

describe("cold start of several tabs", () => {
  it("creates exactly one guest when N tabs start at once with Web Locks", async () => {
    const server = createFakeServer();
    const locks = createTestLocks();
    const tabs = Array.from({ length: 5 }, () =>
      createGuestSessionClient({ fetch: server.fetch, locks, legacyStorage: null }),
    );
    const results = await Promise.all(tabs.map((tab) => tab.request("lookup_or_create")));
    expect(server.created()).toBe(1);
    expect(new Set(results.map((r) => (r.kind === "session" ? r.session.userId : r.kind)))).toEqual(
      new Set(["usr_guest1"]),
    );
  });
});

describe("legacy token migration", () => {
  function storage(initial: string | null) {
    const values = new Map<string, string>();
    if (initial !== null) values.set(LEGACY_TOKEN_STORAGE_KEY, initial);
    return {
      getItem: (k: string) => values.get(k) ?? null,
      removeItem: (k: string) => void values.delete(k),
      has: () => values.has(LEGACY_TOKEN_STORAGE_KEY),
    };
  }

  it("is sent once, by the tab holding the lock, and deleted on success", async () => {
    const store = storage("legacy-secret");
    const bodies: unknown[] = [];
    const fetch = async (_p: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as { legacyToken?: string };
      bodies.push(body);
      return json(200, body.legacyToken ? { ...SESSION, legacy: "migrated" } : SESSION);
    };
    const locks = createTestLocks();
    const tabs = [0, 1, 2].map(() =>
      createGuestSessionClient({ fetch, locks, legacyStorage: store }),
    );
    await Promise.all(tabs.map((t) => t.request("lookup_or_create")));
    expect(bodies.filter((b) => (b as { legacyToken?: string }).legacyToken)).toEqual([
      { mode: "lookup_or_create", legacyToken: "legacy-secret" },
    ]);
    expect(store.has()).toBe(false);
  });

  it("is deleted only when the server is done with it; kept on errors and when it was not looked at", async () => {
    const cases: [Response, boolean][] = [
      [new Response(null, { status: 204 }), false],
      [json(200, { ...SESSION, legacy: "migrated" }), false],
      [json(200, { ...SESSION, legacy: "unknown" }), false],
      // A cookie (or a member) answered first: the token still names a guest to bring over.
      [json(200, SESSION), true],
      [json(403, errorBody("revoked:guest_session")), true],
      [json(503, errorBody("unavailable:authority")), true],
      [json(502, errorBody("bad_gateway:authority")), true],
    ];
    for (const [response, kept] of cases) {
      const store = storage("legacy-secret");
      const client = createGuestSessionClient({
        fetch: async () => response.clone(),
        locks: null,
        legacyStorage: store,
      });
      await client.request("lookup_only");
      expect(store.has()).toBe(kept);
    }
    const offline = storage("legacy-secret");
    await createGuestSessionClient({
      fetch: async () => Promise.reject(new TypeError("offline")),
      locks: null,
      legacyStorage: offline,
    }).request("lookup_or_create");
    expect(offline.has()).toBe(true);
  });
});

describe("createGuestSessionClient with the cold-start script's answers", () => {
  const early = (body: unknown, status = 200) =>
    Promise.resolve({ status, body: body === null ? "" : JSON.stringify(body) });
  const ISSUED = { ...SESSION, issued: true };

  it("adopts the create and the hand-off lookup once, sending neither again", async () => {
    const fetch = vi.fn(async () => json(200, SESSION));
    const client = createGuestSessionClient({
      fetch,
      locks: null,
      legacyStorage: null,
      coldStart: { create: early(ISSUED), verify: early(SESSION) },
    });
    expect(await client.request("lookup_or_create")).toEqual({ kind: "session", session: ISSUED });
    expect(await client.refresh("lookup_only")).toEqual({ kind: "session", session: SESSION });
    expect(fetch).not.toHaveBeenCalled();
    // Taken once: the next requests go to the server.
    await client.refresh("lookup_only");
    await client.refresh("lookup_or_create");
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("asks the server for a lookup the script did not send", async () => {
    const fetch = vi.fn(async () => json(200, SESSION));
    const client = createGuestSessionClient({
      fetch,
      locks: null,
      legacyStorage: null,
      coldStart: { create: early(SESSION), verify: Promise.resolve(null) },
    });
    await client.request("lookup_or_create");
    expect(await client.refresh("lookup_only")).toEqual({ kind: "session", session: SESSION });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("maps the script's answers like its own: miss, revoked, errors, failures", async () => {
    const cases = [
      [early(null, 204), { kind: "miss" }],
      [early({ error: { code: "revoked:guest_session", message: "m" } }, 403), { kind: "revoked" }],
      [
        early({ error: { code: "unavailable:authority", message: "m" } }, 503),
        { kind: "error", code: "unavailable:authority", status: 503 },
      ],
      [
        Promise.resolve({ failure: "network" as const }),
        { kind: "error", code: "network:client", status: 0 },
      ],
      [
        Promise.resolve({ failure: "timeout" as const }),
        { kind: "error", code: "timeout:client", status: 0 },
      ],
    ] as const;
    for (const [create, expected] of cases) {
      const client = createGuestSessionClient({
        fetch: vi.fn(),
        locks: null,
        legacyStorage: null,
        coldStart: { create, verify: Promise.resolve(null) },
      });
      expect(await client.request("lookup_or_create")).toMatchObject(expected);
    }
  });

  it("never lets the script's answers stand for a request after a clear or refresh", async () => {
    const fetch = vi.fn(async () => json(200, SESSION));
    const cleared = createGuestSessionClient({
      fetch,
      locks: null,
      legacyStorage: null,
      coldStart: { create: early(ISSUED), verify: early({ ...SESSION, userId: "usr_old" }) },
    });
    cleared.clear();
    expect(await cleared.request("lookup_or_create")).toEqual({
      kind: "session",
      session: SESSION,
    });
    expect(await cleared.refresh("lookup_only")).toEqual({ kind: "session", session: SESSION });
    expect(fetch).toHaveBeenCalledTimes(2);

    const refreshed = createGuestSessionClient({
      fetch,
      locks: null,
      legacyStorage: null,
      coldStart: { create: early(ISSUED), verify: early(SESSION) },
    });
    await refreshed.refresh("lookup_or_create");
    expect(fetch).toHaveBeenCalledTimes(3);
    // The create was not adopted, so neither is the lookup that followed it.
    await refreshed.refresh("lookup_only");
    expect(fetch).toHaveBeenCalledTimes(4);
  });

  it("does not take the lock again for an answer sent under it", async () => {
    const locks = { request: vi.fn() };
    const client = createGuestSessionClient({
      fetch: vi.fn(),
      locks,
      legacyStorage: null,
      coldStart: { create: early(SESSION), verify: Promise.resolve(null) },
    });
    expect(await client.request("lookup_or_create")).toEqual({ kind: "session", session: SESSION });
    expect(locks.request).not.toHaveBeenCalled();
  });
});
