import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authResponseSchema, mergeResponseSchema } from "../../shared/contracts/auth";
import { guestSessionResponseSchema } from "../../shared/contracts/guest-session";
import { GUEST_SESSION_COOKIE, MEMBER_SESSION_COOKIE } from "../../shared/names";
import { toDirectChannel } from "../../shared/realtime/channels";
import { verifySocketToken } from "../common/socket-tokens";
import { mergeGuestIntoMember } from "../store/merge";
import { appendMessage, ensureChannel, listMessagesAfter } from "../store/messages";
import { listStars, setStar } from "../store/stars";
import {
  startTestAuthority,
  TEST_SECRETS,
  type TestAuthority,
  toClientAddressHeaders,
} from "./testing/authority-harness";

const MEMBER_COOKIE = new RegExp(
  `^${MEMBER_SESSION_COOKIE}=([^;]+); Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax$`,
);
const MEMBER_CLEARED = `${MEMBER_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;
const GUEST_CLEARED = `${GUEST_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;
const PASSWORD = "correct horse battery";

let authority: TestAuthority;
let failMerges = 0;
let address = 0;
const fresh = () => toClientAddressHeaders(`198.51.100.${++address}`);
let emails = 0;
const newEmail = () => `member${++emails}.${Date.now()}@example.test`;

beforeAll(async () => {
  authority = await startTestAuthority({
    limits: {
      signIn: {
        perAddress: { points: 1000, durationInSeconds: 60 },
        freeFailures: 3,
        firstDelayInSeconds: 60,
        failuresPerAccount: { points: 3, durationInSeconds: 60 },
      },
    },
    // Fails the next `failMerges` merges, then behaves as the real one.
    mergeGuest: async (db, guestId, memberId) => {
      if (failMerges > 0) {
        failMerges -= 1;
        throw new Error("merge: simulated store failure");
      }
      return mergeGuestIntoMember(db, guestId, memberId);
    },
  });
});
afterAll(async () => {
  await authority?.stop();
});

interface Guest {
  userId: string;
  cookie: string;
}

async function createGuest(): Promise<Guest> {
  const res = await authority.post("/v1/guest-session", { mode: "lookup_or_create" }, fresh());
  expect(res.status).toBe(200);
  const body = guestSessionResponseSchema.parse(await res.json());
  return { userId: body.userId, cookie: res.headers.getSetCookie()[0]!.split(";")[0]! };
}

/** A guest with a conversation with `agentId` (user and agent messages) and a star. */
async function guestWithHistory(agentId: string, texts: string[]): Promise<Guest> {
  const guest = await createGuest();
  const channel = toDirectChannel(guest.userId, agentId);
  await ensureChannel(authority.db, { name: channel, userId: guest.userId, agentId });
  for (const [i, body] of texts.entries()) {
    await appendMessage(authority.db, {
      channel,
      authorId: i % 2 === 0 ? guest.userId : agentId,
      authorKind: i % 2 === 0 ? "user" : "agent",
      body,
      clientMessageId: i % 2 === 0 ? `cm_${guest.userId}_${i}` : null,
    });
  }
  await setStar(authority.db, { userId: guest.userId, agentId, starred: true });
  return guest;
}

function memberCookieOf(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${MEMBER_SESSION_COOKIE}=`));
  expect(set).toMatch(MEMBER_COOKIE);
  return MEMBER_COOKIE.exec(set!)![1]!;
}

const signUp = (email: string, headers: Record<string, string> = {}, extra = {}) =>
  authority.post(
    "/v1/auth/sign-up",
    { email, password: PASSWORD, ...extra },
    {
      ...fresh(),
      ...headers,
    },
  );
const signIn = (
  email: string,
  password = PASSWORD,
  headers: Record<string, string> = {},
  extra = {},
) => authority.post("/v1/auth/sign-in", { email, password, ...extra }, { ...fresh(), ...headers });
const lookup = (memberSession: string, headers: Record<string, string> = {}) =>
  authority.post(
    "/v1/guest-session",
    { mode: "lookup_only", memberSession },
    { ...fresh(), ...headers },
  );

async function messagesOf(userId: string, agentId: string) {
  return listMessagesAfter(authority.db, toDirectChannel(userId, agentId), 0);
}

describe("sign-up", () => {
  it("creates the member, sets an exact __Host- member cookie and merges the guest", async () => {
    const guest = await guestWithHistory("concierge", ["hi", "hello!", "how are you?"]);
    const res = await signUp(newEmail(), { cookie: guest.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = authResponseSchema.parse(await res.json());
    expect(body.merge).toEqual({ status: "merged", channels: 1, messages: 3, stars: 1 });
    expect(body.userId).not.toBe(guest.userId);
    memberCookieOf(res);
    expect(res.headers.getSetCookie()).toContain(GUEST_CLEARED);
    const claims = await verifySocketToken(body.socketToken, TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY);
    expect(claims).toMatchObject({ userId: body.userId, kind: "member" });

    const moved = await messagesOf(body.userId, "concierge");
    expect(moved.map((m) => [m.seq, m.body, m.authorId])).toEqual([
      [1, "hi", body.userId],
      [2, "hello!", "concierge"],
      [3, "how are you?", body.userId],
    ]);
    expect(await messagesOf(guest.userId, "concierge")).toEqual([]);
    expect(await listStars(authority.db, body.userId)).toEqual(["concierge"]);
    // The guest's session ended as merged, and the gateways were told before the answer.
    const ended = authority.changes.filter((c) => c.userId === guest.userId);
    expect(ended).toEqual([expect.objectContaining({ revoked: true })]);
    const again = await authority.post(
      "/v1/guest-session",
      { mode: "lookup_only" },
      {
        ...fresh(),
        cookie: guest.cookie,
      },
    );
    expect(again.status).toBe(403);
  });

  it("refuses a taken email (any case) with 409, and a malformed body with 400", async () => {
    const email = newEmail();
    expect((await signUp(email)).status).toBe(200);
    const taken = await signUp(email.toUpperCase());
    expect(taken.status).toBe(409);
    expect((await taken.json()).error.code).toBe("conflict:account");
    for (const body of [
      { email: "not-an-email", password: PASSWORD },
      { email: newEmail(), password: "short" },
      { email: newEmail(), password: PASSWORD, guestId: "usr_forged" },
    ]) {
      const res = await authority.post("/v1/auth/sign-up", body, fresh());
      expect(res.status).toBe(400);
    }
  });
});

describe("sign-in", () => {
  it("answers a wrong password and an unknown email alike, and starts a new session each time", async () => {
    const email = newEmail();
    const first = memberCookieOf(await signUp(email));
    const wrong = await signIn(email, "wrong password");
    const unknown = await signIn(newEmail(), "wrong password");
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());

    const res = await signIn(email, PASSWORD, {}, { memberSession: first });
    expect(res.status).toBe(200);
    const second = memberCookieOf(res);
    expect(second).not.toBe(first);
    // The session the request carried was replaced (no two live sessions from one sign-in flow).
    expect((await lookup(first)).headers.getSetCookie()).toContain(MEMBER_CLEARED);
    const member = guestSessionResponseSchema.parse(await (await lookup(second)).json());
    expect(member).toMatchObject({ kind: "member", email });
  });

  it("ignores a planted guest cookie's identity: the merged guest's cookie grants nothing after", async () => {
    const email = newEmail();
    await signUp(email);
    const planted = await guestWithHistory("storyteller", ["planted"]);
    const res = await signIn(email, PASSWORD, { cookie: planted.cookie });
    const body = authResponseSchema.parse(await res.json());
    expect(body.userId).not.toBe(planted.userId);
    const replay = await authority.post(
      "/v1/guest-session",
      { mode: "lookup_or_create" },
      {
        ...fresh(),
        cookie: planted.cookie,
      },
    );
    expect(replay.status).toBe(403);
  });

  it("slows the address that guesses, never the account: the owner elsewhere signs in at once", async () => {
    const email = newEmail();
    await signUp(email);
    const attacker = toClientAddressHeaders("203.0.113.66");
    for (let i = 0; i < 3; i++) expect((await signIn(email, "nope", attacker)).status).toBe(401);
    // The guessing address waits, even with the right password.
    const slowed = await signIn(email, PASSWORD, attacker);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await slowed.json()).error.code).toBe("rate_limited:sign_in");
    // The owner, from an address that has not failed, is not: at once, and again.
    const owner = toClientAddressHeaders("198.51.100.250");
    expect((await signIn(email, PASSWORD, owner)).status).toBe(200);
    expect((await signIn(email, PASSWORD, owner)).status).toBe(200);
    // The owner's success does not lift the guesser's wait.
    expect((await signIn(email, PASSWORD, attacker)).status).toBe(429);
  });

  it("past the account's failure budget, slows each address after its first failure only", async () => {
    const email = newEmail();
    await signUp(email);
    // Three guessers, one failure each: none reaches its free failures, the account's budget is spent.
    for (const host of [1, 2, 3]) {
      const guesser = toClientAddressHeaders(`203.0.113.${100 + host}`);
      expect((await signIn(email, "nope", guesser)).status).toBe(401);
    }
    // A fourth guesser is answered once, then must wait.
    const fourth = toClientAddressHeaders("203.0.113.104");
    expect((await signIn(email, "nope", fourth)).status).toBe(401);
    expect((await signIn(email, PASSWORD, fourth)).status).toBe(429);
    // The owner from an address without failures signs in at once; a typo there is slowed too.
    const office = toClientAddressHeaders("198.51.100.251");
    expect((await signIn(email, PASSWORD, office)).status).toBe(200);
    const home = toClientAddressHeaders("198.51.100.252");
    expect((await signIn(email, "typo", home)).status).toBe(401);
    expect((await signIn(email, PASSWORD, home)).status).toBe(429);
    expect((await signIn(email, PASSWORD, toClientAddressHeaders("198.51.100.253"))).status).toBe(
      200,
    );
  });

  it("answers an unknown account exactly as a known one, throttling included", async () => {
    const known = newEmail();
    await signUp(known);
    const unknown = newEmail();
    const answers = async (email: string, address: string) => {
      const from = toClientAddressHeaders(address);
      const seen = [];
      for (let i = 0; i < 5; i++) {
        const res = await signIn(email, "wrong password", from);
        // The wait counts down between the two runs: compare it by its presence.
        seen.push([res.status, res.headers.has("retry-after"), await res.json()]);
      }
      return seen;
    };
    const forKnown = await answers(known, "203.0.113.120");
    expect(forKnown.map(([status, waits]) => [status, waits])).toEqual([
      [401, false],
      [401, false],
      [401, false],
      [429, true],
      [429, true],
    ]);
    expect(await answers(unknown, "203.0.113.121")).toEqual(forKnown);
  });
});

describe("the member session", () => {
  it("ends on sign-out: 204, cookie cleared, and the replayed cookie is refused", async () => {
    const cookie = memberCookieOf(await signUp(newEmail()));
    const out = await authority.post("/v1/auth/sign-out", { memberSession: cookie });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ status: "signed_out" });
    expect(out.headers.getSetCookie()).toEqual([MEMBER_CLEARED]);
    const replay = await lookup(cookie);
    expect(replay.status).toBe(204);
    expect(replay.headers.getSetCookie()).toEqual([MEMBER_CLEARED]);
    const resolved = await authority.post("/v1/identity/resolve", { memberSession: cookie });
    expect(resolved.status).toBe(204);
  });

  it("signs out everywhere", async () => {
    const email = newEmail();
    const a = memberCookieOf(await signUp(email));
    const b = memberCookieOf(await signIn(email));
    expect((await lookup(a)).status).toBe(200);
    await authority.post("/v1/auth/sign-out", { memberSession: b, everywhere: true });
    expect((await lookup(a)).status).toBe(204);
    expect((await lookup(b)).status).toBe(204);
  });

  it("refuses 'sign out everywhere' from a dead cookie instead of claiming it", async () => {
    const email = newEmail();
    const a = memberCookieOf(await signUp(email));
    const b = memberCookieOf(await signIn(email));
    await authority.post("/v1/auth/sign-out", { memberSession: a });
    const res = await authority.post("/v1/auth/sign-out", { memberSession: a, everywhere: true });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized:session");
    expect((await lookup(b)).status).toBe(200);
  });

  it("ends after the idle and absolute lifetimes", async () => {
    const idle = memberCookieOf(await signUp(newEmail()));
    const old = memberCookieOf(await signUp(newEmail()));
    const idleState = await authority.post("/v1/identity/resolve", { memberSession: idle });
    const { sessionId: idleId } = (await idleState.json()) as { sessionId: string };
    const oldState = await authority.post("/v1/identity/resolve", { memberSession: old });
    const { sessionId: oldId } = (await oldState.json()) as { sessionId: string };
    await authority.db.query(
      "UPDATE sessions SET last_seen_at = now() - interval '8 days' WHERE id = $1",
      [idleId],
    );
    await authority.db.query(
      "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1",
      [oldId],
    );
    expect((await lookup(idle)).status).toBe(204);
    expect((await lookup(old)).status).toBe(204);
  });

  it("treats a tampered, truncated or foreign cookie as no session", async () => {
    const cookie = memberCookieOf(await signUp(newEmail()));
    for (const value of [
      `${cookie.slice(0, -4)}AAAA`,
      cookie.slice(0, 40),
      "Fe26.2**foreign**seal",
      "x".repeat(4000),
    ]) {
      const res = await lookup(value);
      expect(res.status).toBe(204);
      expect(await res.text()).not.toContain(value.slice(0, 20));
    }
  });
});

describe("merge", () => {
  it("keeps both histories in order when the member already talked to the agent", async () => {
    const email = newEmail();
    const first = authResponseSchema.parse(await (await signUp(email)).json());
    const memberChannel = toDirectChannel(first.userId, "concierge");
    await ensureChannel(authority.db, {
      name: memberChannel,
      userId: first.userId,
      agentId: "concierge",
    });
    for (const body of ["m1", "m2"]) {
      await appendMessage(authority.db, {
        channel: memberChannel,
        authorId: first.userId,
        authorKind: "user",
        body,
        clientMessageId: `cm_same_${body}`,
      });
    }
    const guest = await guestWithHistory("concierge", ["g1", "g2", "g3"]);
    // A client message id the member used too must not lose the guest's message.
    await authority.db.query(
      "UPDATE messages SET client_message_id = 'cm_same_m1' WHERE body = 'g1' AND author_id = $1",
      [guest.userId],
    );
    const res = await signIn(email, PASSWORD, { cookie: guest.cookie });
    expect(authResponseSchema.parse(await res.json()).merge.status).toBe("merged");
    const all = await messagesOf(first.userId, "concierge");
    expect(all.map((m) => [m.seq, m.body])).toEqual([
      [1, "m1"],
      [2, "m2"],
      [3, "g1"],
      [4, "g2"],
      [5, "g3"],
    ]);
  });

  it("happens exactly once when two tabs sign in at once and the client retries", async () => {
    const email = newEmail();
    await signUp(email);
    const guest = await guestWithHistory("storyteller", ["a", "b", "c", "d"]);
    const [one, two] = await Promise.all([
      signIn(email, PASSWORD, { cookie: guest.cookie }),
      signIn(email, PASSWORD, { cookie: guest.cookie }),
    ]);
    const bodies = [one, two].map(async (r) => authResponseSchema.parse(await r.json()));
    const statuses = (await Promise.all(bodies)).map((b) => b.merge.status).sort();
    expect(statuses).toEqual(["already_merged", "merged"]);
    const member = (await Promise.all(bodies))[0]!.userId;
    const retry = await authority.post(
      "/v1/auth/merge",
      { memberSession: memberCookieOf(one) },
      { cookie: guest.cookie },
    );
    expect(mergeResponseSchema.parse(await retry.json()).merge.status).toBe("already_merged");
    const moved = await messagesOf(member, "storyteller");
    expect(moved.map((m) => m.body)).toEqual(["a", "b", "c", "d"]);
    expect(await listStars(authority.db, member)).toEqual(["storyteller"]);
  });

  it("never takes the guest from the body: a forged guest id is refused", async () => {
    const cookie = memberCookieOf(await signUp(newEmail()));
    const victim = await guestWithHistory("concierge", ["private"]);
    const res = await authority.post("/v1/auth/merge", {
      memberSession: cookie,
      guestId: victim.userId,
    });
    expect(res.status).toBe(400);
    expect((await messagesOf(victim.userId, "concierge")).map((m) => m.body)).toEqual(["private"]);
  });

  it("keeps the guest, its data and its cookie when the merge fails, and a retry then merges", async () => {
    const email = newEmail();
    await signUp(email);
    const guest = await guestWithHistory("concierge", ["keep me"]);
    failMerges = 2;
    const res = await signIn(email, PASSWORD, { cookie: guest.cookie });
    expect(res.status).toBe(200);
    const body = authResponseSchema.parse(await res.json());
    expect(body.merge.status).toBe("failed");
    expect(res.headers.getSetCookie()).not.toContain(GUEST_CLEARED);
    expect((await messagesOf(guest.userId, "concierge")).map((m) => m.body)).toEqual(["keep me"]);
    const member = memberCookieOf(res);
    // The chat learns that a guest is still waiting to be merged, so it can offer a retry.
    const pending = await lookup(member, { cookie: guest.cookie });
    expect(guestSessionResponseSchema.parse(await pending.json()).guestPending).toBe(true);

    const failed = await authority.post(
      "/v1/auth/merge",
      { memberSession: member },
      {
        cookie: guest.cookie,
      },
    );
    expect(failed.status).toBe(503);
    expect((await failed.json()).error.code).toBe("unavailable:merge");

    const retried = await authority.post(
      "/v1/auth/merge",
      { memberSession: member },
      {
        cookie: guest.cookie,
      },
    );
    expect(retried.status).toBe(200);
    expect(mergeResponseSchema.parse(await retried.json()).merge.status).toBe("merged");
    expect(retried.headers.getSetCookie()).toEqual([GUEST_CLEARED]);
    expect((await messagesOf(body.userId, "concierge")).map((m) => m.body)).toEqual(["keep me"]);
    const settled = await lookup(member, { cookie: guest.cookie });
    expect(guestSessionResponseSchema.parse(await settled.json()).guestPending).toBeUndefined();
  });

  it("brings an older client's legacy guest into the member, and says so", async () => {
    const member = memberCookieOf(await signUp(newEmail()));
    const legacyGuest = await guestWithHistory("storyteller", ["from the old client"]);
    const legacyToken = legacyGuest.cookie.split("=")[1] ?? "";
    const res = await authority.post(
      "/v1/guest-session",
      { mode: "lookup_only", memberSession: member, legacyToken },
      fresh(),
    );
    const body = guestSessionResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ kind: "member", legacy: "migrated" });
    expect((await messagesOf(body.userId, "storyteller")).map((m) => m.body)).toEqual([
      "from the old client",
    ]);
    const again = await authority.post(
      "/v1/guest-session",
      { mode: "lookup_only", memberSession: member, legacyToken: "no-such-legacy-token" },
      fresh(),
    );
    expect(guestSessionResponseSchema.parse(await again.json()).legacy).toBe("unknown");
  });

  it("needs a live member session", async () => {
    const res = await authority.post("/v1/auth/merge", {});
    expect(res.status).toBe(401);
  });
});
