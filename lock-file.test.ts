/**
 * `npm ci` refuses a lock file that lacks any optional package a locked package declares
 * (other platforms' binaries included). npm 11 drops those when it rewrites the lock with
 * node_modules present (npm/cli#8320), so this checks what `npm ci` will check.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

interface LockEntry {
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const lock = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "package-lock.json"), "utf8"),
) as { lockfileVersion: number; packages: Record<string, LockEntry> };

/** Where npm would look for `name` required from the package at `from` (nearest node_modules first). */
function isLocked(from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (lock.packages[`${dir ? `${dir}/` : ""}node_modules/${name}`]) return true;
    const at = dir.lastIndexOf("/node_modules/");
    if (at < 0) return Boolean(dir) && isLocked("", name);
    dir = dir.slice(0, at);
  }
}

describe("package-lock.json", () => {
  it("is a v3 lock", () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it("locks every optional package a locked package declares, for every platform", () => {
    const missing = Object.entries(lock.packages).flatMap(([where, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !isLocked(where, name))
        .map((name) => `${where || "(root)"} → ${name}`),
    );
    expect(missing).toEqual([]);
  });
});
