import { readCpuSample, toStealShare } from "./steal";

/**
 * Two arms, both up, measured in alternating windows: round r runs A then B when r is even,
 * B then A when it is odd, so drift (steal, thermal, other tenants) hits both arms alike.
 * The pair of one round gives one ratio; a figure reports the median ratio with min and max.
 */
export interface ArmWindow<M> {
  metrics: M;
  /** Steal share of this window (0..1). */
  steal: number;
}

export interface RoundPair<M> {
  round: number;
  a: ArmWindow<M>;
  b: ArmWindow<M>;
}

export interface InterleaveOptions<M> {
  rounds: number;
  windowMs: number;
  /** Each arm runs this long, unrecorded, before the first round. */
  warmupMs: number;
  runA(windowMs: number): Promise<M>;
  runB(windowMs: number): Promise<M>;
}

export interface Interleaved<M> {
  pairs: RoundPair<M>[];
  /** Steal share over the whole measurement (warm-up excluded). */
  steal: number;
}

async function measure<M>(run: (ms: number) => Promise<M>, ms: number): Promise<ArmWindow<M>> {
  const before = readCpuSample();
  const metrics = await run(ms);
  return { metrics, steal: toStealShare(before, readCpuSample()) };
}

export async function runInterleaved<M>(options: InterleaveOptions<M>): Promise<Interleaved<M>> {
  const { runA, runB, windowMs } = options;
  if (options.warmupMs > 0) {
    await runA(options.warmupMs);
    await runB(options.warmupMs);
  }
  const pairs: RoundPair<M>[] = [];
  const start = readCpuSample();
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      const a = await measure(runA, windowMs);
      const b = await measure(runB, windowMs);
      pairs.push({ round, a, b });
    } else {
      const b = await measure(runB, windowMs);
      const a = await measure(runA, windowMs);
      pairs.push({ round, a, b });
    }
  }
  return { pairs, steal: toStealShare(start, readCpuSample()) };
}
