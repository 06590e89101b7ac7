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

/**
 * How long a process's main thread has been runnable but waiting for a CPU, in milliseconds
 * (/proc/<pid>/schedstat, its second field); NaN where /proc is missing. Over a window it
 * says how crowded the machine was for that process: time its event loop lost to others.
 */
export function readRunQueueWaitMs(pid: number): number {
  try {
    const [, waitingNs] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(" ");
    return Number(waitingNs) / 1e6;
  } catch {
    return Number.NaN;
  }
}
