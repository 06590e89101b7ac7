import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux Foyer runs on). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far, user and system, in milliseconds (/proc/<pid>/stat,
 * 10 ms resolution); NaN where /proc is missing. Unlike a latency, it hardly moves when
 * other tenants crowd the machine, so it sizes a node where latencies cannot.
 */
export function readProcessCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return ((user + system) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
