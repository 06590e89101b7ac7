import { describe, expect, it, vi } from "vitest";
import type { Queryable } from "../db/types";
import { createKnownChannels } from "./known-channels";

const channel = (name: string) => ({ name, userId: "usr_a", agentId: "concierge" });

function countingDb() {
  const query = vi.fn(async () => ({ rows: [] }));
  return { db: { query } as unknown as Queryable, query };
}

describe("createKnownChannels", () => {
  it("ensures a channel row once, and again after it was forgotten", async () => {
    const { db, query } = countingDb();
    const known = createKnownChannels();
    await known.ensure(db, channel("direct-usr_a-concierge"));
    await known.ensure(db, channel("direct-usr_a-concierge"));
    expect(query).toHaveBeenCalledOnce();
    known.forget("direct-usr_a-concierge");
    await known.ensure(db, channel("direct-usr_a-concierge"));
    expect(query).toHaveBeenCalledTimes(2);
  });

  it("remembers nothing when the ensure failed, and stays bounded", async () => {
    const failing = { query: vi.fn(async () => Promise.reject(new Error("down"))) };
    const known = createKnownChannels(2);
    await expect(known.ensure(failing as unknown as Queryable, channel("a"))).rejects.toThrow();
    const { db, query } = countingDb();
    for (const name of ["a", "b", "c", "a"]) await known.ensure(db, channel(name));
    // "c" filled the memory past its bound, so it started over and "a" was ensured again.
    expect(query).toHaveBeenCalledTimes(4);
  });
});
