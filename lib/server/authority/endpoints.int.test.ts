import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, CLIENT_ADDRESS_PROOF_HEADER } from "../../shared/names";
import { verifySocketToken } from "../common/socket-tokens";
import type { Db } from "../db/types";
import { INTERNAL_KEY_HEADER } from "./internal-key";
import { startAuthorityServer } from "./router";
import {
  INTERNAL_HEADERS,
  startTestAuthority,
  TEST_SECRETS,
  type TestAuthority,
  toClientAddressHeaders,
  toCookieHeader,
} from "./testing/authority-harness";

let authority: TestAuthority;

beforeAll(async () => {
  authority = await startTestAuthority({
    limits: { guestCreation: { perAddress: { points: 2, durationInSeconds: 60 } } },
    // Slow on purpose: the revoke must still wait for it before answering.
    onSessionChanged: () => new Promise((resolve) => setTimeout(resolve, 50)),
  });
});
afterAll(async () => {
  await authority?.stop();
});

const from = (address: string) => toClientAddressHeaders(address);

async function createGuest(address: string) {
  const res = await authority.post(
    "/v1/guest-session",
    { mode: "lookup_or_create" },
    from(address),
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { userId: string; socketToken: string };
  const claims = await verifySocketToken(body.socketToken, TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY);
  const setCookie = res.headers.getSetCookie()[0]!;
  return { ...claims, cookie: toCookieHeader(setCookie), value: setCookie.split(/[=;]/)[1]! };
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect((await res.json()).error.code).toBe(code);
}

/** A chunked POST (no Content-Length) of `size` bytes. */
function postChunked(size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL("/v1/guest-session", authority.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    req.on("response", (res) => {
      let body = "";
      res
        .on("data", (c) => (body += c))
        .on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (let sent = 0; sent < size; sent += 1024) req.write(" ".repeat(1024));
    req.end();
  });
}

describe("guest creation rate limit", () => {
  it("answers 429 with Retry-After past the limit, per client address", async () => {
    await createGuest("203.0.113.1");
    const guest = await createGuest("203.0.113.1");
    const limited = await authority.post(
      "/v1/guest-session",
      { mode: "lookup_or_create" },
      from("203.0.113.1"),
    );
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectError(limited, 429, "rate_limited:guest_creation");
    await createGuest("203.0.113.2");
    // Lookups are never limited.
    const lookup = await authority.post(
      "/v1/guest-session",
      { mode: "lookup_or_create" },
      { ...from("203.0.113.1"), cookie: guest.cookie },
    );
    expect(lookup.status).toBe(200);
  });
});

describe("the client address", () => {
  const create = (headers: Record<string, string>) =>
    authority.post("/v1/guest-session", { mode: "lookup_or_create" }, headers);

  it("counts a bare or forged address header as the TCP peer's, and the web tier's proven one as is", async () => {
    // Any local process can set the header; without the web tier's proof it names nobody.
    const forged: Record<string, string>[] = [
      { [CLIENT_ADDRESS_HEADER]: "203.0.113.70" },
      { [CLIENT_ADDRESS_HEADER]: "203.0.113.71", [CLIENT_ADDRESS_PROOF_HEADER]: "forged" },
      { ...from("203.0.113.72"), [CLIENT_ADDRESS_HEADER]: "203.0.113.73" },
    ];
    const statuses = [];
    for (const headers of forged) statuses.push((await create(headers)).status);
    // Three creations from one peer (127.0.0.1) against a budget of two.
    expect(statuses).toEqual([200, 200, 429]);
    // The addresses the forgeries named were never charged.
    for (const address of ["203.0.113.70", "203.0.113.71", "203.0.113.73"]) {
      expect((await create(from(address))).status).toBe(200);
    }
  });
});

describe("malformed requests", () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    authority.post("/v1/guest-session", body, { ...from("192.0.2.9"), ...headers });

  it.each([
    ["not JSON", "{mode:"],
    ["an empty body", ""],
    ["an unknown mode", { mode: "create" }],
    ["an unknown key", { mode: "lookup_only", userId: "usr_x" }],
    ["an oversized legacy token", { mode: "lookup_only", legacyToken: "x".repeat(4097) }],
    ["a JSON array", [1]],
  ])("answers 400 bad_request:body to %s", async (_name, body) => {
    await expectError(await post(body), 400, "bad_request:body");
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "application/jsonx"])(
    "answers 415 to content-type %s",
    async (type) => {
      await expectError(
        await post({ mode: "lookup_only" }, { "content-type": type }),
        415,
        "unsupported_media_type:body",
      );
    },
  );

  it("answers 413 to a body over 16 KiB, declared or chunked", async () => {
    await expectError(
      await post({ mode: "lookup_only", pad: "x".repeat(16 * 1024) }),
      413,
      "payload_too_large:body",
    );
    const chunked = await postChunked(20 * 1024);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe("payload_too_large:body");
  });

  it("answers 404 not_found:route and 405 for a wrong method, as JSON", async () => {
    await expectError(await fetch(new URL("/v1/nope", authority.url)), 404, "not_found:route");
    await expectError(
      await fetch(new URL("/v1/guest-session", authority.url)),
      405,
      "method_not_allowed:route",
    );
    await expectError(
      await authority.post("/v1/sessions/%E0%A4%A/revoke", {}),
      404,
      "not_found:route",
    );
  });

  it("answers GET /healthz", async () => {
    const res = await fetch(new URL("/healthz", authority.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe("POST /v1/identity/resolve", () => {
  it("resolves a live guest session and creates nothing otherwise", async () => {
    const guest = await createGuest("203.0.113.50");
    const live = await authority.post("/v1/identity/resolve", { guestSession: guest.value });
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({
      userId: guest.userId,
      kind: "guest",
      sessionId: guest.sessionId,
    });
    const count = async () =>
      (await authority.db.query<{ n: number }>("SELECT count(*) AS n FROM users")).rows[0]?.n;
    const before = await count();
    for (const body of [
      {},
      { guestSession: "A".repeat(43) },
      { guestSession: "short" },
      { memberSessionId: "x" },
    ]) {
      const res = await authority.post("/v1/identity/resolve", body);
      expect(res.status).toBe(204);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    expect(await count()).toBe(before);
    await expectError(
      await authority.post("/v1/identity/resolve", "nope"),
      400,
      "bad_request:body",
    );
  });
});

describe("POST /v1/sessions/:sessionId/revoke", () => {
  const internal = INTERNAL_HEADERS;

  it("is internal: without the internal key it answers 401 and revokes nothing", async () => {
    const guest = await createGuest("203.0.113.61");
    const wrong: Record<string, string>[] = [{}, { [INTERNAL_KEY_HEADER]: "wrong" }];
    for (const headers of wrong) {
      await expectError(
        await authority.post(`/v1/sessions/${guest.sessionId}/revoke`, {}, headers),
        401,
        "unauthorized:internal",
      );
    }
    const resolved = await authority.post("/v1/identity/resolve", { guestSession: guest.value });
    expect(resolved.status).toBe(200);
  });

  it("bumps the generation, tells the gateways before answering, and resolve stops naming it", async () => {
    const guest = await createGuest("203.0.113.60");
    const res = await authority.post(`/v1/sessions/${guest.sessionId}/revoke`, "", internal);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ generation: 2, status: "revoked" });
    expect(authority.changes).toContainEqual({
      sessionId: guest.sessionId,
      userId: guest.userId,
      generation: 2,
      revoked: true,
      reason: "revoked",
    });
    const resolved = await authority.post("/v1/identity/resolve", { guestSession: guest.value });
    expect(resolved.status).toBe(204);
  });

  it("answers 404 for an unknown session", async () => {
    await expectError(
      await authority.post("/v1/sessions/ses_missing/revoke", {}, internal),
      404,
      "not_found:session",
    );
  });
});

describe("a failing store", () => {
  it("answers 500 internal:server without details, and logs the error", async () => {
    const fail = () => Promise.reject(new Error("store down"));
    const db: Db = { dialect: "pglite", query: fail, transaction: fail, close: async () => {} };
    const logs: string[] = [];
    const broken = await startAuthorityServer({
      db,
      secrets: TEST_SECRETS,
      port: 0,
      log: (e) => logs.push(e),
    });
    try {
      const res = await fetch(new URL("/v1/guest-session", broken.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mode: "lookup_or_create" }),
      });
      expect(res.status).toBe(500);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toEqual({
        error: { code: "internal:server", message: "authority: internal error" },
      });
      expect(logs).toContain("authority.error");
    } finally {
      await broken.close();
    }
  });
});
