import { describe, expect, it } from "vitest";
import type { Queryable } from "../db/types";
import { createDailyCapKeeper, readDailyCaps, toUtcDayStart } from "./daily-caps";

/** A store that answers the day's count with `stored`, and counts how often it was asked. */
function store(stored: number) {
  const asked: unknown[][] = [];
  const db = {
    async query(_sql: string, params?: unknown[]) {
      asked.push(params ?? []);
      return { rows: [{ count: String(stored) }] };
    },
  } as unknown as Queryable;
  return { db, asked };
}

const NOON = new Date("2030-05-01T12:00:00Z");
const NEXT_DAY = new Date("2030-05-02T00:00:01Z");

describe("toUtcDayStart", () => {
  it.each([
    ["2030-05-01T12:00:00Z", "2030-05-01T00:00:00.000Z"],
    ["2030-05-01T00:00:00Z", "2030-05-01T00:00:00.000Z"],
    ["2030-05-01T23:59:59.999Z", "2030-05-01T00:00:00.000Z"],
    ["2030-12-31T23:00:00-02:00", "2031-01-01T00:00:00.000Z"],
  ])("%s → %s", (now, start) => {
    expect(toUtcDayStart(new Date(now)).toISOString()).toBe(start);
  });
});

describe("the daily cap", () => {
  it("counts from what the store holds for the day, then in memory, up to the cap", async () => {
    const { db, asked } = store(2);
    const caps = createDailyCapKeeper({ guest: 4, member: 100 });
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await caps.spend(db, "usr_a", "guest", NOON));
    expect(answers).toEqual([true, true, false, false]);
    expect(asked).toEqual([["usr_a", new Date("2030-05-01T00:00:00Z")]]);
  });

  it("gives members their own, larger cap", async () => {
    const { db } = store(50);
    const caps = createDailyCapKeeper({ guest: 4, member: 100 });
    expect(await caps.spend(db, "usr_m", "member", NOON)).toBe(true);
  });

  it("reads the store once for concurrent first sends", async () => {
    const { db, asked } = store(0);
    const caps = createDailyCapKeeper({ guest: 3, member: 3 });
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(() => caps.spend(db, "usr_a", "guest", NOON)),
    );
    expect(answers.filter(Boolean)).toHaveLength(3);
    expect(asked).toHaveLength(1);
  });

  it("a refund gives a message back; a new day starts from the store again", async () => {
    const { db, asked } = store(0);
    const caps = createDailyCapKeeper({ guest: 1, member: 1 });
    expect(await caps.spend(db, "usr_a", "guest", NOON)).toBe(true);
    expect(await caps.spend(db, "usr_a", "guest", NOON)).toBe(false);
    caps.refund("usr_a");
    expect(await caps.spend(db, "usr_a", "guest", NOON)).toBe(true);
    caps.prune(NEXT_DAY);
    expect(await caps.spend(db, "usr_a", "guest", NEXT_DAY)).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it("reads its settings, refusing nonsense with the variable's name", () => {
    expect(readDailyCaps({})).toEqual({ guest: 300, member: 3000 });
    expect(readDailyCaps({ FOYER_DAILY_MESSAGES_GUEST: "20" }).guest).toBe(20);
    expect(() => readDailyCaps({ FOYER_DAILY_MESSAGES_MEMBER: "lots" })).toThrow(
      "FOYER_DAILY_MESSAGES_MEMBER",
    );
  });
});
