import type { Interleaved } from "./interleave";
import { type Spread, toSpread } from "./stats";

/** What every figure gets: where the shared services are and how long to measure. */
export interface BenchContext {
  databaseUrl: string;
  /** The bench's own Redis (never the machine's shared one). */
  redisUrl: () => Promise<string>;
  /** The production build of the bench copy of the app (built on first use). */
  appDir: () => Promise<string>;
  rounds: number;
  windowMs: number;
  warmupMs: number;
  progress(message: string): void;
}

/** One line of the table. `pass` is null for a figure reported without a goal. */
export interface Row {
  id: string;
  figure: string;
  measured: Spread;
  /** How to print the measured numbers (default: a ratio with two decimals). */
  unit?: "ratio" | "ms" | "per_s" | "count" | "bytes";
  goal: string;
  pass: boolean | null;
  rounds: number;
  /** Steal share over the figure's measurement, and its largest window. */
  steal: number;
  stealMaxWindow: number;
}

export interface Figure {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** Steal columns of a row from an interleaved run. */
export function toStealColumns<M>(run: Interleaved<M>): Pick<Row, "steal" | "stealMaxWindow"> {
  const windows = run.pairs.flatMap((p) => [p.a.steal, p.b.steal]);
  return { steal: run.steal, stealMaxWindow: toSpread(windows).max };
}

/** The per-pair ratios `f(a, b)` of an interleaved run. */
export function toPairRatios<M>(run: Interleaved<M>, f: (a: M, b: M) => number): Spread {
  return toSpread(run.pairs.map((p) => f(p.a.metrics, p.b.metrics)));
}

export const atLeast = (goal: number) => (s: Spread) => s.median >= goal;
export const atMost = (goal: number) => (s: Spread) => s.median <= goal;

/** A row measured by `run`: rounds and steal come from it; no goal unless one is given. */
export function toRow<M>(
  run: Interleaved<M>,
  fields: Pick<Row, "id" | "figure" | "measured"> & Partial<Pick<Row, "unit" | "goal" | "pass">>,
): Row {
  return { goal: "—", pass: null, ...fields, rounds: run.pairs.length, ...toStealColumns(run) };
}
