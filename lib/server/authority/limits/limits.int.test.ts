import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer } from "../../testing/cluster-harness";
import {
  NO_AUTHORITY_LIMITS,
  startTestAuthority,
  type TestAuthority,
  toClientAddressHeaders,
} from "../testing/authority-harness";
import type { CreationBudgets } from "./creation-budget";
import { createRedisLimitStore } from "./limiter-store";

/** Budgets small enough to exhaust in a test: 2 per address, 5 per network, 12 for everyone. */
const SMALL: CreationBudgets = {
  perAddress: { points: 2, durationInSeconds: 60 },
  perNetwork: { points: 5, durationInSeconds: 60 },
  global: { points: 12, durationInSeconds: 60 },
};

const PASSWORD = "correct horse battery";
let emails = 0;
const newEmail = () => `flood${++emails}.${Date.now()}@example.test`;

async function expectRateLimited(res: Response, code: string) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  expect((await res.json()).error.code).toBe(code);
}

/** Statuses of one request per address, in order. */
async function statusesFrom(addresses: string[], send: (address: string) => Promise<Response>) {
  const statuses: number[] = [];
  for (const address of addresses) {
    const res = await send(address);
    statuses.push(res.status);
    await res.body?.cancel();
  }
  return statuses;
}

const oneSlash24 = Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`);
const acrossSlash24s = Array.from({ length: 40 }, (_, i) => `10.${i}.0.1`);

describe("the sign-up budgets", () => {
  let authority: TestAuthority;
  beforeAll(async () => {
    authority = await startTestAuthority({
      limits: { signUp: SMALL, signIn: NO_AUTHORITY_LIMITS.signIn },
    });
  });
  afterAll(async () => {
    await authority?.stop();
  });

  const signUp = (address: string) =>
    authority.post(
      "/v1/auth/sign-up",
      { email: newEmail(), password: PASSWORD },
      toClientAddressHeaders(address),
    );

  it("stop a flood rotating through a /24 at 5, then one rotating across /24s at the global 12", async () => {
    const inOne = await statusesFrom(oneSlash24, signUp);
    expect(inOne.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(inOne.slice(5).every((s) => s === 429)).toBe(true);
    const across = await statusesFrom(acrossSlash24s, signUp);
    expect(across.filter((s) => s === 200)).toHaveLength(12 - 5);
    expect(across.slice(7).every((s) => s === 429)).toBe(true);
    await expectRateLimited(await signUp("198.51.100.1"), "rate_limited:sign_in");
    const users = await authority.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM users WHERE email IS NOT NULL",
    );
    expect(users.rows[0]?.n).toBe(12);
  });
});

describe("the guest-creation budgets", () => {
  let authority: TestAuthority;
  beforeAll(async () => {
    authority = await startTestAuthority({ limits: { guestCreation: SMALL } });
  });
  afterAll(async () => {
    await authority?.stop();
  });

  const create = (address: string) =>
    authority.post(
      "/v1/guest-session",
      { mode: "lookup_or_create" },
      toClientAddressHeaders(address),
    );

  it("stop one address at 2, a /24 at 5 and everyone at 12", async () => {
    expect(await statusesFrom(["192.0.2.1", "192.0.2.1", "192.0.2.1"], create)).toEqual([
      200, 200, 429,
    ]);
    const inOne = await statusesFrom(oneSlash24, create);
    expect(inOne.filter((s) => s === 200)).toHaveLength(5);
    const across = await statusesFrom(acrossSlash24s, create);
    expect(across.filter((s) => s === 200)).toHaveLength(12 - 5 - 2);
    await expectRateLimited(await create("198.51.100.1"), "rate_limited:guest_creation");
    const refused = authority.logs.filter((l) => l.event === "guest_session.rate_limited");
    expect(new Set(refused.map((l) => l.fields.scope))).toEqual(
      new Set(["address", "network", "global"]),
    );
  });
});

describe("authorities sharing one Redis", () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  const stores: Awaited<ReturnType<typeof createRedisLimitStore>>[] = [];
  const authorities: TestAuthority[] = [];
  const log = () => {};
  let killed = false;

  beforeAll(async () => {
    redis = await startRedisServer();
    const keyPrefix = `foyer-test:${randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      const store = await createRedisLimitStore(redis.url, log);
      stores.push(store);
      authorities.push(
        await startTestAuthority({
          limits: {
            guestCreation: SMALL,
            signIn: { freeFailures: 2, firstDelayInSeconds: 60 },
          },
          limitStore: { ...store.store, keyPrefix },
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(authorities.map((a) => a.stop()));
    await Promise.all(stores.map((s) => s.close()));
    // (Its `stop` after a `kill` would wait for an exit that already happened.)
    if (!killed) await redis?.stop();
  });

  const createOn = (i: number, address: string) =>
    authorities[i]!.post(
      "/v1/guest-session",
      { mode: "lookup_or_create" },
      toClientAddressHeaders(address),
    );

  it("count one budget: an address's two guests on either node spend it for both", async () => {
    expect((await createOn(0, "192.0.2.10")).status).toBe(200);
    expect((await createOn(1, "192.0.2.10")).status).toBe(200);
    await expectRateLimited(await createOn(0, "192.0.2.10"), "rate_limited:guest_creation");
    await expectRateLimited(await createOn(1, "192.0.2.10"), "rate_limited:guest_creation");
  });

  it("share sign-in waits: a pair that failed on one node waits on the other, the owner nowhere", async () => {
    const email = newEmail();
    const signUp = await authorities[0]!.post(
      "/v1/auth/sign-up",
      { email, password: PASSWORD },
      toClientAddressHeaders("192.0.2.30"),
    );
    expect(signUp.status).toBe(200);
    const signInOn = (i: number, password: string, address: string) =>
      authorities[i]!.post(
        "/v1/auth/sign-in",
        { email, password },
        toClientAddressHeaders(address),
      );
    expect((await signInOn(0, "nope", "203.0.113.40")).status).toBe(401);
    expect((await signInOn(1, "nope", "203.0.113.40")).status).toBe(401);
    await expectRateLimited(await signInOn(0, PASSWORD, "203.0.113.40"), "rate_limited:sign_in");
    await expectRateLimited(await signInOn(1, PASSWORD, "203.0.113.40"), "rate_limited:sign_in");
    // (Each test authority has a database of its own: the account lives on the first.)
    expect((await signInOn(0, PASSWORD, "198.51.100.40")).status).toBe(200);
  });

  it("fall back to each node's own memory while Redis is down, without waiting on it", async () => {
    await redis.kill();
    killed = true;
    const started = Date.now();
    const statuses = await statusesFrom(["192.0.2.20", "192.0.2.20", "192.0.2.20"], (a) =>
      createOn(0, a),
    );
    expect(statuses).toEqual([200, 200, 429]);
    expect((await createOn(1, "192.0.2.20")).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
