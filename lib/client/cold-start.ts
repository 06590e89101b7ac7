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
 * rules hold unchanged (DESIGN client invariants 1 and 7): a cold start of N tabs still
 * queues N creations behind one lock, the second carrying the first's cookie. The script
 * stands aside (the client then does everything as before) where the browser has no Web
 * Locks, and when an older client's legacy token is in storage, whose migration must be
 * read and settled inside the lock by the client itself.
 *
 * Like every guest-session request it needs JavaScript, so a crawler that runs no scripts
 * still never mints a guest.
 */
import type { GuestSessionMode } from "../shared/guest-session-contract";

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

/**
 * The script itself. It runs as an inline script, serialized with `toString()`: it must use
 * nothing from outside its own body (no imports, no module constants). Never throws.
 */
export function beginColdStart(config: ColdStartConfig): void {
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
    const post = (mode: GuestSessionMode): Promise<EarlyAnswer> =>
      fetch(config.path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        cache: "no-store",
        body: JSON.stringify({ mode: mode }),
        signal: AbortSignal.timeout(config.timeoutInMs),
      }).then(
        (response) => response.text().then((body) => ({ status: response.status, body: body })),
        (error: unknown): EarlyAnswer => {
          const name = error instanceof Error ? error.name : "";
          return {
            failure: name === "TimeoutError" || name === "AbortError" ? "timeout" : "network",
          };
        },
      );
    // The lock is held until the answer has been read, as in the guest-session client.
    const create = locks.request(config.lock, () =>
      post("lookup_or_create"),
    ) as unknown as Promise<EarlyAnswer>;
    const verify = create.then((answer): Promise<EarlyAnswer> | null => {
      if (!("status" in answer) || answer.status !== 200) return null;
      try {
        if (JSON.parse(answer.body).issued !== true) return null;
      } catch (_e) {
        return null;
      }
      return post("lookup_only");
    });
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
  return `(${beginColdStart.toString()})(${args})`;
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
