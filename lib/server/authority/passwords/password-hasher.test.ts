import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createPasswordHasher } from "./password-hasher";

const hasher = createPasswordHasher();
afterAll(() => hasher.close());

/** The nice value of every thread of a process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
function niceOfThreads(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  });
}

describe("createPasswordHasher", () => {
  it("hashes and verifies in its own process", async () => {
    const hash = await hasher.hash("secret words");
    expect(await hasher.verify(hash, "secret words")).toBe(true);
    expect(await hasher.verify(hash, "other words")).toBe(false);
    expect(hasher.pid).not.toBe(process.pid);
  }, 30_000);

  it.runIf(existsSync("/proc/self/task"))(
    "runs every thread of the hasher below the chat's priority",
    async () => {
      await hasher.hash("warm");
      const pid = hasher.pid;
      expect(pid).not.toBeNull();
      const nices = niceOfThreads(pid ?? 0);
      expect(nices.length).toBeGreaterThan(4);
      expect(Math.min(...nices)).toBeGreaterThanOrEqual(10);
    },
    30_000,
  );

  it("fails the calls in flight when the hasher dies, and starts anew on the next", async () => {
    const inFlight = hasher.hash("slow enough");
    process.kill(hasher.pid ?? 0, "SIGKILL");
    await expect(inFlight).rejects.toThrow(/exited/);
    expect(await hasher.verify(await hasher.hash("again"), "again")).toBe(true);
  }, 30_000);
});
