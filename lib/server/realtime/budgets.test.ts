import { describe, expect, it } from "vitest";
import { ConfigError } from "../common/env";
import {
  type BucketRate,
  createBudgetKeeper,
  DEFAULT_SOCKET_BUDGETS,
  IN_FLIGHT_RETRY_AFTER_IN_MS,
  readSocketBudgets,
  type SocketBudgetState,
  type SocketBudgets,
  takeToken,
  UNLIMITED_SOCKET_BUDGETS,
} from "./budgets";

const RATE: BucketRate = { capacity: 3, perSecond: 2 };

describe("takeToken", () => {
  it.each<[string, { tokens: number; at: number }, number, boolean, number]>([
    // name, bucket, now, ok, tokens after (or retry after ms when refused)
    ["a full bucket gives one", { tokens: 3, at: 0 }, 0, true, 2],
    ["the last token", { tokens: 1, at: 0 }, 0, true, 0],
    ["an empty bucket refuses, 500 ms to the next at 2/s", { tokens: 0, at: 0 }, 0, false, 500],
    ["half a token: 250 ms to go", { tokens: 0.5, at: 0 }, 0, false, 250],
    ["refilled by time: 0 + 600 ms × 2/s = 1.2", { tokens: 0, at: 0 }, 600, true, 0.2],
    ["never above capacity", { tokens: 2, at: 0 }, 60_000, true, 2],
    ["time going backwards refills nothing", { tokens: 0, at: 1_000 }, 0, false, 500],
  ])("%s", (_name, bucket, now, ok, after) => {
    const result = takeToken(bucket, RATE, now);
    expect(result.ok).toBe(ok);
    if (result.ok) expect(result.bucket.tokens).toBeCloseTo(after, 9);
    else expect(result.retryAfterMs).toBe(after);
  });

  it("takes nothing from an unlimited rate", () => {
    const bucket = { tokens: 0, at: 0 };
    expect(takeToken(bucket, { capacity: Infinity, perSecond: Infinity }, 0)).toEqual({
      ok: true,
      bucket,
    });
  });
});

const TIGHT: SocketBudgets = {
  ...UNLIMITED_SOCKET_BUDGETS,
  perSocket: { ...UNLIMITED_SOCKET_BUDGETS.perSocket, send: { capacity: 2, perSecond: 1 } },
  perUser: { ...UNLIMITED_SOCKET_BUDGETS.perUser, send: { capacity: 3, perSecond: 1 } },
  inFlightPerSocket: 2,
};
const socket = (): SocketBudgetState => ({ buckets: {}, inFlight: 0 });

describe("createBudgetKeeper", () => {
  it("limits one socket by its own bucket", () => {
    const keeper = createBudgetKeeper(TIGHT);
    const a = socket();
    expect([0, 0, 0].map(() => keeper.admit(a, "usr_a", "send", 0))).toEqual([null, null, 1000]);
    // A second later the socket has one token again.
    expect(keeper.admit(a, "usr_a", "send", 1_000)).toBeNull();
  });

  it("limits a user across its sockets, whatever their number", () => {
    const keeper = createBudgetKeeper(TIGHT);
    const sockets = [socket(), socket(), socket(), socket()];
    const answers = sockets.map((s) => keeper.admit(s, "usr_a", "send", 0));
    expect(answers).toEqual([null, null, null, 1000]);
  });

  it("keeps users and classes apart", () => {
    const keeper = createBudgetKeeper(TIGHT);
    const a = socket();
    keeper.admit(a, "usr_a", "send", 0);
    keeper.admit(a, "usr_a", "send", 0);
    expect(keeper.admit(a, "usr_a", "send", 0)).not.toBeNull();
    expect(keeper.admit(a, "usr_a", "read", 0)).toBeNull();
    expect(keeper.admit(socket(), "usr_b", "send", 0)).toBeNull();
  });

  it("a refusal spends nothing: the user's bucket is not drained by a socket that is over", () => {
    const keeper = createBudgetKeeper(TIGHT);
    const flooding = socket();
    for (let i = 0; i < 10; i += 1) keeper.admit(flooding, "usr_a", "send", 0);
    // The flooding socket took 2; the user still has 1 for another tab.
    expect(keeper.admit(socket(), "usr_a", "send", 0)).toBeNull();
  });

  it("refuses past the in-flight cap, with a short wait", () => {
    const keeper = createBudgetKeeper(TIGHT);
    const a = { buckets: {}, inFlight: 2 };
    expect(keeper.admit(a, "usr_a", "read", 0)).toBe(IN_FLIGHT_RETRY_AFTER_IN_MS);
  });

  it("forgets users whose buckets have refilled", () => {
    const keeper = createBudgetKeeper(TIGHT);
    for (let i = 0; i < 3; i += 1) keeper.admit(socket(), "usr_a", "send", 0);
    keeper.prune(1_000);
    expect(keeper.size).toBe(1);
    keeper.prune(3_000);
    expect(keeper.size).toBe(0);
  });

  it("never limits a person typing fast in five tabs (defaults)", () => {
    const keeper = createBudgetKeeper(DEFAULT_SOCKET_BUDGETS);
    const tabs = [socket(), socket(), socket(), socket(), socket()];
    // A message every 700 ms for two minutes, from whichever tab has focus.
    const refused = Array.from({ length: 170 }, (_, i) =>
      keeper.admit(tabs[i % 5] as SocketBudgetState, "usr_a", "send", i * 700),
    ).filter((answer) => answer !== null);
    expect(refused).toEqual([]);
  });
});

describe("readSocketBudgets", () => {
  it("has the defaults when nothing is set", () => {
    expect(readSocketBudgets({})).toEqual(DEFAULT_SOCKET_BUDGETS);
  });

  it("reads capacity/perSecond, counts and unlimited", () => {
    const budgets = readSocketBudgets({
      FOYER_BUDGET_SEND_SOCKET: "5/0.5",
      FOYER_BUDGET_READ_USER: "unlimited",
      FOYER_SOCKETS_PER_USER: "3",
      FOYER_SOCKET_IN_FLIGHT_MAX: "unlimited",
    });
    expect(budgets.perSocket.send).toEqual({ capacity: 5, perSecond: 0.5 });
    expect(budgets.perUser.read.capacity).toBe(Infinity);
    expect(budgets.socketsPerUser).toBe(3);
    expect(budgets.inFlightPerSocket).toBe(Infinity);
  });

  it.each([
    ["FOYER_BUDGET_SEND_SOCKET", "10"],
    ["FOYER_BUDGET_SEND_SOCKET", "0/1"],
    ["FOYER_BUDGET_CHEAP_USER", "10/0"],
    ["FOYER_SOCKETS_PER_SESSION", "0"],
    ["FOYER_SOCKETS_PER_SESSION", "2.5"],
  ])("refuses %s=%s, naming the variable", (name, value) => {
    expect(() => readSocketBudgets({ [name]: value })).toThrow(ConfigError);
    expect(() => readSocketBudgets({ [name]: value })).toThrow(name);
  });
});

describe("budgets across nodes (takeSpent / applySpent)", () => {
  const SHARED: SocketBudgets = {
    ...UNLIMITED_SOCKET_BUDGETS,
    perUser: { ...UNLIMITED_SOCKET_BUDGETS.perUser, send: { capacity: 4, perSecond: 1 } },
  };

  it("reports what this node's users spent once, then nothing until they spend again", () => {
    const keeper = createBudgetKeeper(SHARED);
    keeper.admit(socket(), "usr_a", "send", 0);
    keeper.admit(socket(), "usr_a", "send", 0);
    keeper.admit(socket(), "usr_b", "read", 0);
    // Unlimited classes are nobody's business: only the limited bucket is reported.
    expect(keeper.takeSpent()).toEqual({ usr_a: { send: 2 } });
    expect(keeper.takeSpent()).toBeNull();
  });

  it("takes another node's spending off the user's bucket here", () => {
    const keeper = createBudgetKeeper(SHARED);
    keeper.applySpent({ usr_a: { send: 3 } }, 0);
    expect(keeper.admit(socket(), "usr_a", "send", 0)).toBeNull();
    expect(keeper.admit(socket(), "usr_a", "send", 0)).toBe(1000);
    // Spending applied here is not reported back out.
    expect(keeper.takeSpent()).toEqual({ usr_a: { send: 1 } });
  });

  it("never waits more than a bucket's worth below zero, however much was spent elsewhere", () => {
    const keeper = createBudgetKeeper(SHARED);
    keeper.applySpent({ usr_a: { send: 1_000_000 } }, 0);
    // Floor -4: 5 tokens to the next one at 1/s.
    expect(keeper.admit(socket(), "usr_a", "send", 0)).toBe(5000);
  });

  it.each([null, "x", 42, { usr_a: null }, { usr_a: { send: -5 } }, { usr_a: { send: "9" } }])(
    "ignores a malformed report %j",
    (report) => {
      const keeper = createBudgetKeeper(SHARED);
      keeper.applySpent(report, 0);
      expect(keeper.admit(socket(), "usr_a", "send", 0)).toBeNull();
    },
  );
});
