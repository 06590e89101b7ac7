import { readFileSync } from "node:fs";

/**
 * CPU steal from /proc/stat: the share of time the hypervisor ran someone else while this
 * machine's CPUs wanted to run. Sampled around every window, so a noisy window shows.
 */
export interface CpuSample {
  steal: number;
  total: number;
  idle: number;
}

/** The aggregate `cpu` line of /proc/stat (jiffies); zeros where /proc is missing. */
export function readCpuSample(): CpuSample {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.slice(0, 8).map(Number);
    const total = n.reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
    return { steal: n[7] ?? 0, total, idle: (n[3] ?? 0) + (n[4] ?? 0) };
  } catch {
    return { steal: 0, total: 0, idle: 0 };
  }
}

/** Steal between two samples as a fraction (0..1); NaN when nothing elapsed or unknown. */
export function toStealShare(before: CpuSample, after: CpuSample): number {
  const total = after.total - before.total;
  return total > 0 ? (after.steal - before.steal) / total : Number.NaN;
}

/** Busy (non-idle) share of all CPUs between two samples (0..1). */
export function toBusyShare(before: CpuSample, after: CpuSample): number {
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : Number.NaN;
}
