import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guestSessionResponseSchema } from "../../shared/contracts/guest-session";
import { GUEST_SESSION_COOKIE } from "../../shared/names";
import { verifySocketToken } from "../common/socket-tokens";
import { hashGuestSecret } from "./cookies/guest-cookie";
import {
  INTERNAL_HEADERS,
  startTestAuthority,
  TEST_SECRETS,
  type TestAuthority,
  toClientAddressHeaders,
  toCookieHeader,
} from "./testing/authority-harness";

const SET_COOKIE = new RegExp(
  `^${GUEST_SESSION_COOKIE}=([A-Za-z0-9_-]{43}); Max-Age=31536000; Path=/; HttpOnly; Secure; SameSite=Lax$`,
);
const CLEARED_COOKIE = `${GUEST_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;

let authority: TestAuthority;
let address = 0;
/** A fresh client address per call, so the creation limit never couples tests. */
const freshAddress = () => toClientAddressHeaders(`198.51.100.${++address}`);

const guestSession = (body: unknown, headers: Record<string, string> = {}) =>
  authority.post("/v1/guest-session", body, { ...freshAddress(), ...headers });

async function createGuest() {
  const res = await guestSession({ mode: "lookup_or_create" });
  expect(res.status).toBe(200);
  const setCookie = res.headers.getSetCookie();
  expect(setCookie).toHaveLength(1);
  const value = SET_COOKIE.exec(setCookie[0]!)?.[1];
  expect(value).toBeDefined();
  const body = guestSessionResponseSchema.parse(await res.json());
  return { value: value!, cookie: toCookieHeader(setCookie[0]!), body };
}

beforeAll(async () => {
  authority = await startTestAuthority();
});
afterAll(async () => {
  await authority?.stop();
});

describe("POST /v1/guest-session", () => {
  it("creates a guest with an exact __Host- cookie, no-store, and a token carrying the generation", async () => {
    const res = await guestSession({ mode: "lookup_or_create" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const [setCookie, ...rest] = res.headers.getSetCookie();
    expect(rest).toEqual([]);
    expect(setCookie).toMatch(SET_COOKIE);
    expect(setCookie?.toLowerCase()).not.toContain("domain");
    const body = guestSessionResponseSchema.parse(await res.json());
    expect(body.kind).toBe("guest");
    const claims = await verifySocketToken(body.socketToken, TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY);
    expect(claims).toMatchObject({ userId: body.userId, kind: "guest", generation: 1 });
    expect(claims.expiresAt.toISOString()).toBe(body.expiresAt);
    const { rows } = await authority.db.query<{ id: string; user_id: string; generation: number }>(
      "SELECT id, user_id, generation FROM sessions WHERE id = $1",
      [claims.sessionId],
    );
    expect(rows).toEqual([{ id: claims.sessionId, user_id: body.userId, generation: 1 }]);
  });

  it("looks up the same user from the cookie, in both modes, without setting a cookie", async () => {
    const guest = await createGuest();
    for (const mode of ["lookup_only", "lookup_or_create"]) {
      const res = await guestSession({ mode }, { cookie: `other=1; ${guest.cookie}; x=y` });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect((await res.json()).userId).toBe(guest.body.userId);
    }
  });

  it("answers 204 with no body on a lookup_only miss", async () => {
    const res = await guestSession({ mode: "lookup_only" });
    expect(res.status).toBe(204);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).toBe("");
  });

  it("reads only the guest cookie: the value under another name, or malformed, is no session", async () => {
    const guest = await createGuest();
    for (const cookie of [
      `foyer_guest_session=${guest.value}`,
      `${GUEST_SESSION_COOKIE}=${guest.value}x`,
    ]) {
      expect((await guestSession({ mode: "lookup_only" }, { cookie })).status).toBe(204);
    }
  });

  it("creates a new guest (not 403) for an unknown cookie on lookup_or_create", async () => {
    const guest = await createGuest();
    const unknown = `${GUEST_SESSION_COOKIE}=${"A".repeat(43)}`;
    const res = await guestSession({ mode: "lookup_or_create" }, { cookie: unknown });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()[0]).toMatch(SET_COOKIE);
    expect((await res.json()).userId).not.toBe(guest.body.userId);
  });

  it("stores only the HMAC of the cookie value, never the value", async () => {
    const guest = await createGuest();
    const hash = hashGuestSecret(guest.value, TEST_SECRETS.FOYER_GUEST_SESSION_PEPPER);
    const { rows } = await authority.db.query("SELECT * FROM sessions WHERE user_id = $1", [
      guest.body.userId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ secret_hash: hash });
    for (const table of ["users", "sessions", "schema_migrations"]) {
      const all = await authority.db.query(`SELECT * FROM ${table}`);
      expect(JSON.stringify(all.rows)).not.toContain(guest.value);
    }
  });

  it("answers 403 and clears the cookie (same attributes) once the session is revoked", async () => {
    const guest = await createGuest();
    const claims = await verifySocketToken(
      guest.body.socketToken,
      TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY,
    );
    const revoke = await authority.post(
      `/v1/sessions/${claims.sessionId}/revoke`,
      {},
      INTERNAL_HEADERS,
    );
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toEqual({ generation: 2, status: "revoked" });
    for (const mode of ["lookup_only", "lookup_or_create"]) {
      const res = await guestSession({ mode }, { cookie: guest.cookie });
      expect(res.status).toBe(403);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.getSetCookie()).toEqual([CLEARED_COOKIE]);
      expect((await res.json()).error.code).toBe("revoked:guest_session");
    }
  });

  it("never logs cookie values or tokens", async () => {
    const guest = await createGuest();
    await guestSession({ mode: "lookup_only" }, { cookie: guest.cookie });
    const logged = JSON.stringify(authority.logs);
    expect(logged).toContain(guest.body.userId);
    expect(logged).not.toContain(guest.value);
    expect(logged).not.toContain(guest.body.socketToken);
  });
});

describe("POST /v1/guest-session with a legacy token", () => {
  it("re-issues a live guest under a new cookie value and retires the old value", async () => {
    const guest = await createGuest();
    const res = await guestSession({ mode: "lookup_only", legacyToken: guest.value });
    expect(res.status).toBe(200);
    expect((await res.json()).userId).toBe(guest.body.userId);
    const [setCookie] = res.headers.getSetCookie();
    const newValue = SET_COOKIE.exec(setCookie ?? "")?.[1];
    expect(newValue).toBeDefined();
    expect(newValue).not.toBe(guest.value);
    expect((await guestSession({ mode: "lookup_only" }, { cookie: guest.cookie })).status).toBe(
      204,
    );
    const next = await guestSession(
      { mode: "lookup_only" },
      { cookie: toCookieHeader(setCookie!) },
    );
    expect((await next.json()).userId).toBe(guest.body.userId);
  });

  it("accepts any opaque legacy format an older client stored", async () => {
    const legacy = "legacy.token/with+odd=chars";
    const hash = hashGuestSecret(legacy, TEST_SECRETS.FOYER_GUEST_SESSION_PEPPER);
    await authority.db.query("INSERT INTO users (id, kind) VALUES ('usr_legacy', 'guest')");
    await authority.db.query(
      "INSERT INTO sessions (id, user_id, kind, secret_hash) VALUES ('ses_legacy', 'usr_legacy', 'guest', $1)",
      [hash],
    );
    const res = await guestSession({ mode: "lookup_or_create", legacyToken: legacy });
    expect(res.status).toBe(200);
    expect((await res.json()).userId).toBe("usr_legacy");
    expect(res.headers.getSetCookie()[0]).toMatch(SET_COOKIE);
  });

  it("behaves as if absent when the legacy token names nothing", async () => {
    expect((await guestSession({ mode: "lookup_only", legacyToken: "nothing" })).status).toBe(204);
    const created = await guestSession({ mode: "lookup_or_create", legacyToken: "nothing" });
    expect(created.status).toBe(200);
    expect(created.headers.getSetCookie()[0]).toMatch(SET_COOKIE);
  });

  it("prefers a valid cookie and leaves the legacy session untouched", async () => {
    const cookieGuest = await createGuest();
    const legacyGuest = await createGuest();
    const res = await guestSession(
      { mode: "lookup_only", legacyToken: legacyGuest.value },
      { cookie: cookieGuest.cookie },
    );
    expect((await res.json()).userId).toBe(cookieGuest.body.userId);
    expect(res.headers.getSetCookie()).toEqual([]);
    const still = await guestSession({ mode: "lookup_only" }, { cookie: legacyGuest.cookie });
    expect(still.status).toBe(200);
  });
});
