/**
 * The chat page's cold start, begun while the page is still loading. An inline script in the
 * page (`coldStartScript()`, app/page.tsx) sends the tab's first `lookup_or_create` under the
 * same Web Lock the guest-session client takes, and, when that answer issued a new guest
 * cookie, the hand-off lookup (`lookup_only`) right after it. Both travel while the page's
 * JavaScript downloads and hydrates instead of after it (docs/benchmarks.md, B8). The
 * guest-session client adopts the answers once (`takeColdStartAnswers`) in place of sending
 * the same requests itself.
 *
 * Same requests, same lock, same order as the client's own cold start, so the multi-tab
 * rules hold unchanged (docs/design.md, client invariants 1 and 7): a cold start of N tabs still
 * queues N creations behind one lock, the second carrying the first's cookie. The script
 * stands aside (the client then does everything as before) where the browser has no Web
 * Locks, and when an older client's legacy token is in storage, whose migration must be
 * read and settled inside the lock by the client itself.
 *
 * Like every guest-session request it needs JavaScript, so a crawler that runs no scripts
 * still never mints a guest.
 */
import type { GuestSessionMode } from "../../shared/contracts/guest-session";

/** What the page's modules find on `window` (and take once). */
export const COLD_START_GLOBAL = "__foyerColdStart";

/** One answer as the script received it, or why it received none. */
export type EarlyAnswer = { status: number; body: string } | { failure: "network" | "timeout" };

export interface ColdStartAnswers {
  /** The `lookup_or_create` answer. */
  create: Promise<EarlyAnswer>;
  /** The hand-off `lookup_only`, sent when `create` issued a cookie; null when not sent. */
  verify: Promise<EarlyAnswer | null>;
}

export interface ColdStartConfig {
  path: string;
  lock: string;
  legacyKey: string;
  timeoutInMs: number;
  global: string;
}

/** What the identity requests need; plain data, so that it can be written into a worker's source. */
export interface IdentityRequestOptions {
  url: string;
  lock: string;
  timeoutInMs: number;
}

/**
 * The requests themselves: `lookup_or_create` under the lock (held until its answer was
 * read, as in the guest-session client), then the hand-off `lookup_only` when that answer
 * issued a cookie. Each answer goes to `answer` exactly once ("verify" with null when no
 * lookup was needed), whatever fails. Self-contained: it runs from its source text in a
 * worker, so it uses nothing but its arguments and the globals a worker has.
 */
export function requestIdentity(
  options: IdentityRequestOptions,
  answer: (kind: "create" | "verify", value: EarlyAnswer | null) => void,
): void {
  const post = (mode: GuestSessionMode): Promise<EarlyAnswer> =>
    fetch(options.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      cache: "no-store",
      body: JSON.stringify({ mode: mode }),
      signal: AbortSignal.timeout(options.timeoutInMs),
    }).then(
      (response) => response.text().then((body) => ({ status: response.status, body: body })),
      (error: unknown): EarlyAnswer => {
        const name = error instanceof Error ? error.name : "";
        return {
          failure: name === "TimeoutError" || name === "AbortError" ? "timeout" : "network",
        };
      },
    );
  const failed = (): EarlyAnswer => ({ failure: "network" });
  Promise.resolve()
    .then(
      () =>
        navigator.locks.request(options.lock, () =>
          post("lookup_or_create"),
        ) as unknown as Promise<EarlyAnswer>,
    )
    .then((created) => created, failed)
    .then((created) => {
      answer("create", created);
      let issued = false;
      try {
        issued =
          "status" in created && created.status === 200 && JSON.parse(created.body).issued === true;
      } catch (_e) {
        issued = false;
      }
      if (!issued) return answer("verify", null);
      return post("lookup_only").then(
        (verified) => answer("verify", verified),
        () => answer("verify", failed()),
      );
    });
}

/**
 * The script itself. It runs as an inline script, serialized with `toString()`: it must use
 * nothing from outside its own body but `requestIdentity`, which the script carries along
 * (no imports, no module constants). The requests run in a dedicated worker where the browser
 * can start one: a worker's lock grant and its fetches never wait for the page's main
 * thread, which is busy loading and hydrating the page until well after they could have been
 * answered (docs/benchmarks.md, B8). Where no worker starts, they run here. Never throws.
 */
export function beginColdStart(config: ColdStartConfig, request: typeof requestIdentity): void {
  try {
    const locks = navigator.locks;
    if (!locks || typeof fetch !== "function") return;
    let legacy: string | null = null;
    try {
      legacy = window.localStorage.getItem(config.legacyKey);
    } catch (_e) {
      // Storage disabled: there is no legacy token to migrate.
    }
    if (legacy) return;
    const settle: Partial<Record<"create" | "verify", (value: EarlyAnswer | null) => void>> = {};
    const create = new Promise<EarlyAnswer>((resolve) => {
      settle.create = resolve as (value: EarlyAnswer | null) => void;
    });
    const verify = new Promise<EarlyAnswer | null>((resolve) => {
      settle.verify = resolve;
    });
    const answer = (kind: "create" | "verify", value: EarlyAnswer | null) => {
      const resolve = settle[kind];
      delete settle[kind];
      resolve?.(value);
    };
    const options: IdentityRequestOptions = {
      url: new URL(config.path, window.location.href).href,
      lock: config.lock,
      timeoutInMs: config.timeoutInMs,
    };
    let started = false;
    const inPage = () => {
      if (started) return;
      started = true;
      request(options, answer);
    };
    try {
      const source = `(${request.toString()})(${JSON.stringify(options)}, function (kind, value) { postMessage([kind, value]); if (kind === "verify") close(); });`;
      const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      const worker = new Worker(url);
      let heard = false;
      worker.onmessage = (event: MessageEvent<["create" | "verify", EarlyAnswer | null]>) => {
        heard = true;
        URL.revokeObjectURL(url);
        answer(event.data[0], event.data[1]);
      };
      // A worker that could not start (a policy forbids it) sent nothing: ask from here.
      worker.onerror = (event: Event) => {
        event.preventDefault();
        URL.revokeObjectURL(url);
        if (heard) return;
        worker.terminate();
        inPage();
      };
      // A worker that neither starts nor fails is given up on after the request timeout.
      setTimeout(() => {
        if (heard || started) return;
        worker.terminate();
        answer("create", { failure: "timeout" });
        answer("verify", null);
      }, config.timeoutInMs + 1000);
    } catch (_e) {
      inPage();
    }
    (window as unknown as Record<string, ColdStartAnswers>)[config.global] = {
      create: create,
      verify: verify,
    };
  } catch (_e) {
    // Anything unexpected: the page's own cold start does the work.
  }
}

/** The inline script for the chat page. */
export function coldStartScript(config: Omit<ColdStartConfig, "global">): string {
  const full: ColdStartConfig = { ...config, global: COLD_START_GLOBAL };
  // `<` escaped: the text sits inside a <script> element.
  const args = JSON.stringify(full).replace(/</g, "\\u003c");
  return `(${beginColdStart.toString()})(${args}, ${requestIdentity.toString()})`;
}

/** The script's answers, removed from `window` so that nobody takes them twice. */
export function takeColdStartAnswers(): ColdStartAnswers | null {
  if (typeof window === "undefined") return null;
  const holder = window as unknown as Record<string, ColdStartAnswers | undefined>;
  const answers = holder[COLD_START_GLOBAL] ?? null;
  delete holder[COLD_START_GLOBAL];
  return answers;
}

/** The fetch `Response` an answer the script received stands for. */
export function toResponse(answer: { status: number; body: string }): Response {
  const noBody = answer.status === 204 || answer.status === 205 || answer.status === 304;
  return new Response(noBody ? null : answer.body, {
    status: answer.status,
    headers: { "Content-Type": "application/json" },
  });
}
