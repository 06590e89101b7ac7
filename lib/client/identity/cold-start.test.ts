import { describe, expect, it } from "vitest";
import {
  COLD_START_GLOBAL,
  type ColdStartAnswers,
  coldStartScript,
  type EarlyAnswer,
  toResponse,
} from "./cold-start";

const CONFIG = {
  path: "/api/web/guest-session",
  lock: "foyer:guest-session",
  legacyKey: "foyer.guestToken",
  timeoutInMs: 15_000,
};

interface Sent {
  mode: string;
  /** Whether the lock was held when the request went out. */
  locked: boolean;
}

/**
 * Runs the inline script as the page would, with nothing in scope but what a browser page
 * has (a fake `window`, `navigator`, `fetch`): a script that leaned on anything of this
 * module's would throw here and leave no answers.
 */
function runScript(options: {
  answers?: Partial<Record<string, () => Promise<Response>>>;
  locks?: boolean;
  legacy?: string | null;
  storageThrows?: boolean;
  script?: string;
  /** A `Worker` for the page; none by default (the requests then run in the page). */
  Worker?: unknown;
}) {
  const sent: Sent[] = [];
  let locked = false;
  const window: Record<string, unknown> = {
    location: { href: "http://localhost/chat" },
    localStorage: {
      getItem: (key: string) => {
        if (options.storageThrows) throw new Error("SecurityError");
        return key === CONFIG.legacyKey ? (options.legacy ?? null) : null;
      },
    },
  };
  const navigator = {
    locks:
      options.locks === false
        ? undefined
        : {
            async request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
              locked = true;
              try {
                return await callback();
              } finally {
                locked = false;
              }
            },
          },
  };
  const fetch = async (url: string, init: RequestInit) => {
    const { mode } = JSON.parse(String(init.body)) as { mode: string };
    expect(url).toBe(`http://localhost${CONFIG.path}`);
    sent.push({ mode, locked });
    const answer = options.answers?.[mode];
    if (!answer) throw new TypeError("Failed to fetch");
    return answer();
  };
  new Function(
    "window",
    "navigator",
    "fetch",
    "AbortSignal",
    "Worker",
    "URL",
    "Blob",
    "setTimeout",
    options.script ?? coldStartScript(CONFIG),
  )(window, navigator, fetch, AbortSignal, options.Worker, FakeURL, Blob, setTimeout);
  return {
    sent,
    answers: window[COLD_START_GLOBAL] as ColdStartAnswers | undefined,
    navigator,
    fetch,
  };
}

/** `URL` with object URLs this test can read back. */
const blobs = new Map<string, Blob>();
class FakeURL extends URL {
  static override createObjectURL(blob: Blob): string {
    const url = `blob:http://localhost/${blobs.size}`;
    blobs.set(url, blob);
    return url;
  }
  static override revokeObjectURL(url: string): void {
    blobs.delete(url);
  }
}

/**
 * A dedicated worker: runs the blob's source with nothing in scope but what a worker has
 * (its own `navigator` and `fetch`, `postMessage`, `close`), delivering messages to the page.
 */
function workerWith(scope: { navigator: unknown; fetch: unknown }, fails = false) {
  const made: { closed: boolean; terminated: boolean }[] = [];
  class FakeWorker {
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onerror: ((event: { preventDefault(): void }) => void) | null = null;
    readonly state = { closed: false, terminated: false };
    constructor(url: string) {
      made.push(this.state);
      const blob = blobs.get(url);
      void Promise.resolve().then(async () => {
        if (fails || !blob) return this.onerror?.({ preventDefault() {} });
        new Function(
          "navigator",
          "fetch",
          "AbortSignal",
          "postMessage",
          "close",
          await blob.text(),
        )(
          scope.navigator,
          scope.fetch,
          AbortSignal,
          (data: unknown) => setTimeout(() => this.onmessage?.({ data: structuredClone(data) })),
          () => {
            this.state.closed = true;
          },
        );
      });
    }
    terminate() {
      this.state.terminated = true;
    }
  }
  return { Worker: FakeWorker, made };
}

const session = (issued: boolean) => () =>
  Promise.resolve(
    new Response(JSON.stringify({ userId: "usr_1", issued }), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    }),
  );

describe("the cold-start script", () => {
  it("creates under the lock, then checks the hand-off without it when a cookie was issued", async () => {
    const { sent, answers } = runScript({
      answers: { lookup_or_create: session(true), lookup_only: session(false) },
    });
    const create = await answers?.create;
    const verify = await answers?.verify;
    expect(create).toMatchObject({ status: 200 });
    expect(JSON.parse((create as { body: string }).body)).toEqual({
      userId: "usr_1",
      issued: true,
    });
    expect(verify).toMatchObject({ status: 200 });
    expect(sent).toEqual([
      { mode: "lookup_or_create", locked: true },
      { mode: "lookup_only", locked: false },
    ]);
  });

  it("sends no hand-off lookup when the answer issued nothing, or was not a session", async () => {
    for (const create of [
      session(false),
      () => Promise.resolve(new Response(null, { status: 204 })),
      () => Promise.resolve(new Response("{not json", { status: 200 })),
      () => Promise.resolve(new Response("{}", { status: 503 })),
    ]) {
      const { sent, answers } = runScript({ answers: { lookup_or_create: create } });
      expect(await answers?.verify).toBeNull();
      expect(sent.map((s) => s.mode)).toEqual(["lookup_or_create"]);
    }
  });

  it("turns a failed request into a failure answer, never a throw", async () => {
    const { answers } = runScript({ answers: {} });
    expect(await answers?.create).toEqual({ failure: "network" });
    expect(await answers?.verify).toBeNull();
    const timedOut = runScript({
      answers: {
        lookup_or_create: () => Promise.reject(new DOMException("late", "TimeoutError")),
      },
    });
    expect(await timedOut.answers?.create).toEqual({ failure: "timeout" });
  });

  it("stands aside for a legacy token, and where there are no Web Locks", () => {
    const legacy = runScript({ answers: { lookup_or_create: session(true) }, legacy: "old" });
    expect(legacy.answers).toBeUndefined();
    expect(legacy.sent).toEqual([]);
    const noLocks = runScript({ answers: { lookup_or_create: session(true) }, locks: false });
    expect(noLocks.answers).toBeUndefined();
    expect(noLocks.sent).toEqual([]);
  });

  it("still starts when storage is disabled (no legacy token can be there)", async () => {
    const { answers } = runScript({
      answers: { lookup_or_create: session(false) },
      storageThrows: true,
    });
    expect(await answers?.create).toMatchObject({ status: 200 });
  });

  it("sends the requests from a worker where one starts, which closes itself when done", async () => {
    const worker = { navigator: {}, fetch: {} };
    const scope = workerWith(worker);
    const page = runScript({
      answers: { lookup_or_create: session(true), lookup_only: session(false) },
      Worker: scope.Worker,
    });
    // The worker uses its own navigator and fetch; these stand for the page's, same fakes.
    Object.assign(worker, { navigator: page.navigator, fetch: page.fetch });
    expect(await page.answers?.create).toMatchObject({ status: 200 });
    expect(await page.answers?.verify).toMatchObject({ status: 200 });
    expect(page.sent).toEqual([
      { mode: "lookup_or_create", locked: true },
      { mode: "lookup_only", locked: false },
    ]);
    expect(scope.made).toEqual([{ closed: true, terminated: false }]);
  });

  it("asks from the page, once, when the worker cannot start", async () => {
    const scope = workerWith({ navigator: {}, fetch: {} }, true);
    const page = runScript({
      answers: { lookup_or_create: session(false) },
      Worker: scope.Worker,
    });
    expect(await page.answers?.create).toMatchObject({ status: 200 });
    expect(await page.answers?.verify).toBeNull();
    expect(page.sent.map((s) => s.mode)).toEqual(["lookup_or_create"]);
    expect(scope.made).toEqual([{ closed: false, terminated: true }]);
  });

  it("cannot be closed early by its own configuration", () => {
    const script = coldStartScript({ ...CONFIG, path: "/x</script><script>alert(1)//" });
    expect(script).not.toContain("</script>");
    expect(script).toContain("\\u003c/script>");
  });
});

describe("toResponse", () => {
  it("stands for the answer, a body-less status included", async () => {
    const answer: EarlyAnswer = { status: 403, body: '{"error":{"code":"x"}}' };
    const response = toResponse(answer);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "x" } });
    expect(toResponse({ status: 204, body: "" }).status).toBe(204);
  });
});
