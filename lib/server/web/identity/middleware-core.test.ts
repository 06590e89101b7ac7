import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Identity } from "../../../shared/contracts/identity";
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_FORBIDDEN_HEADERS,
  GUEST_SESSION_COOKIE,
  IDENTITY_HEADER,
  REQUEST_ID_HEADER,
} from "../../../shared/names";
import {
  AuthorityCallError,
  type AuthorityRequest,
  type AuthorityResponse,
} from "../authority-client/create-authority-client";
import { readIdentityCookies } from "../proxy/cookie-allow-list";
import { createIdentityCache } from "./identity-cache";
import { parseIdentityHeader, toIdentityHeader, toIdentityHeaderKeys } from "./identity-header";
import {
  resolveMiddlewareRequestHeaders,
  SIGNED_HEADER_REUSE_IN_MS,
  toForwardedRequestHeaders,
} from "./middleware-core";

const PASSWORD = "s".repeat(40);
const KEYS = toIdentityHeaderKeys(PASSWORD);
const IDENTITY: Identity = { userId: "usr_me", kind: "guest", sessionId: "ses_me" };
const COOKIE = `${GUEST_SESSION_COOKIE}=guestvalue; theme=dark`;

beforeEach(() => {
  vi.stubEnv("FOYER_SESSION_PASSWORD", PASSWORD);
  vi.stubEnv("FOYER_LOG", "silent");
});
afterEach(() => vi.unstubAllEnvs());

function resolveTo(identity: Identity | null) {
  return vi.fn(
    async (_r: AuthorityRequest): Promise<AuthorityResponse> =>
      identity
        ? { status: 200, headers: {}, setCookie: [], body: identity }
        : { status: 204, headers: {}, setCookie: [], body: undefined },
  );
}

describe("toForwardedRequestHeaders", () => {
  it("drops every forbidden header, in any letter case", () => {
    const incoming = new Headers({ accept: "text/html", cookie: COOKIE });
    for (const name of CLIENT_FORBIDDEN_HEADERS) incoming.set(name.toUpperCase(), "forged");
    incoming.set("X-Foyer-Identity", "v1.forged.mac");
    incoming.set("x-FOYER-anything-new", "forged");
    incoming.set(
      "X-Middleware-Subrequest",
      "middleware:middleware:middleware:middleware:middleware",
    );
    incoming.set("x-middleware-rewrite", "/admin");
    const out = toForwardedRequestHeaders(incoming);
    // The client address is the one exception: the custom server overwrote whatever the client sent.
    expect([...out.keys()].sort()).toEqual(["accept", "cookie", CLIENT_ADDRESS_HEADER]);
  });

  it("keeps the client address the custom server set", () => {
    const out = toForwardedRequestHeaders(new Headers({ [CLIENT_ADDRESS_HEADER]: "203.0.113.9" }));
    expect(out.get(CLIENT_ADDRESS_HEADER)).toBe("203.0.113.9");
  });

  it("does not modify the incoming headers", () => {
    const incoming = new Headers({ [IDENTITY_HEADER]: "forged" });
    toForwardedRequestHeaders(incoming);
    expect(incoming.get(IDENTITY_HEADER)).toBe("forged");
  });
});

describe("resolveMiddlewareRequestHeaders", () => {
  it("replaces a forged identity header with one resolved from the cookies", async () => {
    const forged = toIdentityHeader(
      { ...IDENTITY, userId: "usr_victim" },
      readIdentityCookies(COOKIE),
      toIdentityHeaderKeys("x".repeat(40)),
    );
    const request = new Request("http://localhost/chat", {
      headers: {
        cookie: COOKIE,
        [IDENTITY_HEADER]: forged,
        "x-middleware-subrequest": "middleware",
      },
    });
    const call = resolveTo(IDENTITY);
    const headers = await resolveMiddlewareRequestHeaders(request, { call });
    expect(headers.get("x-middleware-subrequest")).toBeNull();
    const value = headers.get(IDENTITY_HEADER);
    expect(value).not.toBe(forged);
    expect(parseIdentityHeader(value, readIdentityCookies(COOKIE), KEYS)).toEqual(IDENTITY);
    expect(call).toHaveBeenCalledOnce();
    const sent = call.mock.calls[0]![0];
    expect(sent.path).toBe("/v1/identity/resolve");
    expect(sent.body).toEqual({ guestSession: "guestvalue" });
    expect(sent.headers?.cookie).toBeUndefined();
  });

  it("attaches no identity without identity cookies, and does not call the authority", async () => {
    const call = resolveTo(IDENTITY);
    const request = new Request("http://localhost/", {
      headers: { cookie: "theme=dark", [IDENTITY_HEADER]: "forged" },
    });
    const headers = await resolveMiddlewareRequestHeaders(request, { call });
    expect(headers.get(IDENTITY_HEADER)).toBeNull();
    expect(call).not.toHaveBeenCalled();
  });

  it("attaches no identity on a miss", async () => {
    const request = new Request("http://localhost/", { headers: { cookie: COOKIE } });
    expect(
      (await resolveMiddlewareRequestHeaders(request, { call: resolveTo(null) })).get(
        IDENTITY_HEADER,
      ),
    ).toBeNull();
  });

  it.each(["refused", "timeout", "other"] as const)(
    "attaches nothing, and does not throw, when the authority fails (%s)",
    async (failure) => {
      const call = vi.fn(async () => {
        throw new AuthorityCallError(failure, "down");
      });
      const request = new Request("http://localhost/", {
        headers: { cookie: COOKIE, [IDENTITY_HEADER]: "forged" },
      });
      const headers = await resolveMiddlewareRequestHeaders(request, { call });
      expect(headers.get(IDENTITY_HEADER)).toBeNull();
    },
  );

  it("ignores a malformed authority answer", async () => {
    const call = vi.fn(
      async (): Promise<AuthorityResponse> => ({
        status: 200,
        headers: {},
        setCookie: [],
        body: { userId: "a-b" },
      }),
    );
    const request = new Request("http://localhost/", { headers: { cookie: COOKIE } });
    expect(
      (await resolveMiddlewareRequestHeaders(request, { call })).get(IDENTITY_HEADER),
    ).toBeNull();
  });

  it.each(["/api/web/guest-session", "/api/web/guest-session/"])(
    "skips resolution on %s but still strips",
    async (path) => {
      const call = resolveTo(IDENTITY);
      const request = new Request(`http://localhost${path}`, {
        headers: { cookie: COOKIE, [IDENTITY_HEADER]: "forged" },
      });
      const headers = await resolveMiddlewareRequestHeaders(request, { call });
      expect(call).not.toHaveBeenCalled();
      expect(headers.get(IDENTITY_HEADER)).toBeNull();
    },
  );

  it("attaches nothing when the session password is missing", async () => {
    vi.stubEnv("FOYER_SESSION_PASSWORD", "");
    const request = new Request("http://localhost/", { headers: { cookie: COOKIE } });
    expect(
      (await resolveMiddlewareRequestHeaders(request, { call: resolveTo(IDENTITY) })).get(
        IDENTITY_HEADER,
      ),
    ).toBeNull();
  });

  it("keeps a well-formed request id and replaces a malformed one", async () => {
    const good = new Request("http://localhost/", {
      headers: { [REQUEST_ID_HEADER]: "req_12345678" },
    });
    expect((await resolveMiddlewareRequestHeaders(good)).get(REQUEST_ID_HEADER)).toBe(
      "req_12345678",
    );
    const bad = new Request("http://localhost/", { headers: { [REQUEST_ID_HEADER]: "x y\tz" } });
    expect((await resolveMiddlewareRequestHeaders(bad)).get(REQUEST_ID_HEADER)).toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });

  it("with a cache, asks the authority once per cookies, and again once the session changed", async () => {
    const cache = createIdentityCache();
    const call = resolveTo(IDENTITY);
    const request = () => new Request("http://localhost/chat", { headers: { cookie: COOKIE } });
    for (let i = 0; i < 3; i++) {
      const headers = await resolveMiddlewareRequestHeaders(request(), { call, cache });
      expect(
        parseIdentityHeader(headers.get(IDENTITY_HEADER), readIdentityCookies(COOKIE), KEYS),
      ).toEqual(IDENTITY);
    }
    expect(call).toHaveBeenCalledOnce();
    // A revoke was applied (the gateway publishes it before the revoke answers).
    cache.invalidate(IDENTITY.sessionId);
    const after = await resolveMiddlewareRequestHeaders(request(), {
      call: resolveTo(null),
      cache,
    });
    expect(after.get(IDENTITY_HEADER)).toBeNull();
  });

  it("does not cache an answer that was in flight while a session changed", async () => {
    const cache = createIdentityCache();
    const call = vi.fn(async (): Promise<AuthorityResponse> => {
      cache.invalidate(IDENTITY.sessionId);
      return { status: 200, headers: {}, setCookie: [], body: IDENTITY };
    });
    const request = () => new Request("http://localhost/chat", { headers: { cookie: COOKIE } });
    await resolveMiddlewareRequestHeaders(request(), { call, cache });
    await resolveMiddlewareRequestHeaders(request(), { call, cache });
    expect(call).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it("reuses a signed value while the cache holds the entry, and signs anew after a change or the window", async () => {
    const cache = createIdentityCache({ ttlInMs: 60_000 });
    const call = resolveTo(IDENTITY);
    const cookies = readIdentityCookies(COOKIE);
    const at = async (nowInMs: number) => {
      const request = new Request("http://localhost/chat", { headers: { cookie: COOKIE } });
      const value = (await resolveMiddlewareRequestHeaders(request, { call, cache, nowInMs })).get(
        IDENTITY_HEADER,
      );
      expect(parseIdentityHeader(value, cookies, KEYS, nowInMs)).toEqual(IDENTITY);
      return value;
    };
    const start = Date.now();
    const first = await at(start);
    expect(await at(start + 1_000)).toBe(first);
    expect(await at(start + SIGNED_HEADER_REUSE_IN_MS - 1)).toBe(first);
    const later = await at(start + SIGNED_HEADER_REUSE_IN_MS);
    expect(later).not.toBe(first);
    // A session change drops the entry, and its signed value with it.
    cache.invalidate(IDENTITY.sessionId);
    expect(await at(start + SIGNED_HEADER_REUSE_IN_MS + 2_000)).not.toBe(later);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("never reuses a value signed for other cookies", async () => {
    const cache = createIdentityCache();
    const other = `${GUEST_SESSION_COOKIE}=othervalue`;
    const call = resolveTo(IDENTITY);
    const send = async (cookie: string) =>
      (
        await resolveMiddlewareRequestHeaders(
          new Request("http://localhost/chat", { headers: { cookie } }),
          { call, cache },
        )
      ).get(IDENTITY_HEADER);
    const mine = await send(COOKIE);
    const theirs = await send(other);
    expect(parseIdentityHeader(theirs, readIdentityCookies(other), KEYS)).toEqual(IDENTITY);
    expect(parseIdentityHeader(theirs, readIdentityCookies(COOKIE), KEYS)).toBeNull();
    expect(parseIdentityHeader(mine, readIdentityCookies(COOKIE), KEYS)).toEqual(IDENTITY);
  });

  it("takes the path from Next's parsed URL when the request carries one", async () => {
    const call = resolveTo(IDENTITY);
    const request = Object.assign(
      new Request("http://localhost/chat", { headers: { cookie: COOKIE } }),
      { nextUrl: new URL("http://localhost/api/web/guest-session") },
    );
    const headers = await resolveMiddlewareRequestHeaders(request, { call });
    expect(call).not.toHaveBeenCalled();
    expect(headers.get(IDENTITY_HEADER)).toBeNull();
  });
});
