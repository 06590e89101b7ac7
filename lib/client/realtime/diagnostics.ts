/**
 * Non-secret client counters (ids and counts only, never tokens or message bodies): what an
 * operator would look at in a support session, and what the browser tests assert on.
 */
export interface ClientCounters {
  /** Acks that answered `forbidden:channel` ("Channel access denied. User is not a participant"). */
  channelDenials: number;
  /** Socket connections established. */
  socketConnects: number;
}

const counters: ClientCounters = { channelDenials: 0, socketConnects: 0 };

export function countClientEvent(name: keyof ClientCounters): void {
  counters[name] += 1;
}

export function readClientCounters(): ClientCounters {
  return { ...counters };
}

/** Moments of a page load worth timing: hydration done, the first socket connected. */
export type ClientMoment = "hydrated" | "socket-connected";

/**
 * Records `performance.mark("foyer:<moment>")` the first time the moment happens on this
 * page (relative to navigation start): visible in DevTools' performance panel, and what the
 * benchmarks read (docs/benchmarks.md, B8).
 */
export function markClientMoment(moment: ClientMoment): void {
  if (typeof performance === "undefined" || typeof performance.mark !== "function") return;
  const name = `foyer:${moment}`;
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}
