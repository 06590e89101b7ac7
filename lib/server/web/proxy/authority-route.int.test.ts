import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_PROOF_HEADER,
  GUEST_SESSION_COOKIE,
  IDENTITY_HEADER,
} from "../../../shared/names";
import {
  startTestAuthority,
  TEST_SECRETS,
  type TestAuthority,
} from "../../authority/testing/authority-harness";
import { isClientAddressProofValid, toClientAddressKey } from "../../common/client-address-proof";
import { closeAuthorityClients } from "../authority-client/authority-client";
import { proxyAuthorityRoute } from "./authority-route";
import { GUEST_SESSION_ROUTE } from "./guest-session-reply";

/** A fake authority on loopback that records what it received and answers as told. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const SESSION = {
  userId: "usr_1",
  kind: "guest",
  socketToken: "tok",
  expiresAt: "2030-01-01T00:00:00.000Z",
};
const SET_A = `${GUEST_SESSION_COOKIE}=newvalue; Max-Age=31536000; Path=/; HttpOnly; Secure; SameSite=Lax`;
const SET_B =
  "other_cookie=1; Path=/; Secure; HttpOnly; SameSite=Lax; Expires=Wed, 21 Oct 2037 07:28:00 GMT";
const GOOD = "A".repeat(43);
const ORIGIN = "http://app.test";

let server: Server;
let baseUrl: string;
let received: Received[] = [];
let connections = 0;
let answer: (res: ServerResponse) => void = () => {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      answer(res);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closeAuthorityClients();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  vi.stubEnv("FOYER_LOG", "silent");
  // The web side proves the client address under a key derived from this (S2).
  vi.stubEnv("FOYER_TOKEN_SIGNING_KEY", TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY);
  // app.test is not a loopback name: only as a configured public origin is it this site.
  vi.stubEnv("FOYER_PUBLIC_ORIGIN", ORIGIN);
  received = [];
});
afterEach(() => vi.unstubAllEnvs());

function json(status: number, body: unknown, headers: Record<string, string | string[]> = {}) {
  return (res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };
}

function browserRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}/api/web/guest-session`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { host: "app.test", origin: ORIGIN, "content-type": "application/json", ...headers },
  });
}

const call = (request: Request, timeoutInMs?: number) =>
  proxyAuthorityRoute(request, GUEST_SESSION_ROUTE, {
    authorityUrl: baseUrl,
    timeoutInMs,
    publicOrigins: [ORIGIN],
  });

describe("the pipeline, with the guest-session spec, against a fake authority", () => {
  it("forwards only the guest cookie and the client context, and passes two Set-Cookies through unfolded", async () => {
    answer = json(200, SESSION, { "set-cookie": [SET_A, SET_B] });
    const cookie = [
      "theme=dark",
      `__host-foyer_guest_session=caseVariant`,
      `__Host-foyer_session=memberSeal`,
      `${GUEST_SESSION_COOKIE}=${GOOD}`,
      `${GUEST_SESSION_COOKIE}=secondCopy`,
      "analytics=abc",
    ].join("; ");
    const response = await call(
      browserRequest(
        { mode: "lookup_or_create", legacyToken: "legacy" },
        {
          cookie,
          "user-agent": "Foyer-Test/1.0",
          [CLIENT_ADDRESS_HEADER]: "203.0.113.7",
          [IDENTITY_HEADER]: "forged",
          authorization: "Bearer nope",
          "x-forwarded-for": "1.2.3.4",
        },
      ),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(SESSION);
    expect(response.headers.getSetCookie()).toEqual([SET_A, SET_B]);
    expect(response.headers.get("cache-control")).toBe("no-store");

    expect(received).toHaveLength(1);
    const [got] = received as [Received];
    expect(got.method).toBe("POST");
    expect(got.url).toBe("/v1/guest-session");
    expect(got.headers.cookie).toBe(`${GUEST_SESSION_COOKIE}=${GOOD}`);
    expect(got.headers["user-agent"]).toBe("Foyer-Test/1.0");
    expect(got.headers[CLIENT_ADDRESS_HEADER]).toBe("203.0.113.7");
    const proof = got.headers[CLIENT_ADDRESS_PROOF_HEADER];
    const key = toClientAddressKey(TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY);
    expect(isClientAddressProofValid("203.0.113.7", proof as string, key)).toBe(true);
    expect(got.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-request-id")).toBe(got.headers["x-request-id"]);
    expect(got.headers["content-type"]).toBe("application/json");
    for (const name of [IDENTITY_HEADER, "authorization", "x-forwarded-for", "origin", "referer"]) {
      expect(got.headers[name]).toBeUndefined();
    }
    // The member cookie's value goes in the body, for the authority to unseal; never as a cookie.
    expect(JSON.parse(got.body)).toEqual({
      mode: "lookup_or_create",
      legacyToken: "legacy",
      memberSession: "memberSeal",
    });
  });

  it("keeps a client's well-formed request id and reuses the keep-alive connection", async () => {
    answer = json(200, SESSION);
    const before = connections;
    await call(browserRequest({ mode: "lookup_only" }, { "x-request-id": "req_abcdef123" }));
    await call(browserRequest({ mode: "lookup_only" }));
    expect(received[0]?.headers["x-request-id"]).toBe("req_abcdef123");
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ["no guest cookie", "theme=dark; __Host-foyer_session=member"],
    ["only a case variant", `__HOST-foyer_guest_session=${GOOD}`],
    ["an oversized value", `${GUEST_SESSION_COOKIE}=${"a".repeat(513)}`],
    ["an empty value", `${GUEST_SESSION_COOKIE}=`],
  ])("forwards no Cookie header with %s", async (_name, cookie) => {
    answer = (res) => {
      res.writeHead(204);
      res.end();
    };
    const response = await call(browserRequest({ mode: "lookup_only" }, { cookie }));
    expect(response.status).toBe(204);
    expect(received[0]?.headers.cookie).toBeUndefined();
  });

  it("204 on lookup_only is a miss, with an empty body", async () => {
    answer = (res) => {
      res.writeHead(204, { "cache-control": "no-store" });
      res.end();
    };
    const response = await call(
      browserRequest({ mode: "lookup_only" }, { cookie: `${GUEST_SESSION_COOKIE}=${GOOD}` }),
    );
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("403 revoked passes the clearing cookie through", async () => {
    const clear = `${GUEST_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;
    answer = json(
      403,
      { error: { code: "revoked:guest_session", message: "gone" } },
      { "set-cookie": clear },
    );
    const response = await call(
      browserRequest({ mode: "lookup_or_create" }, { cookie: `${GUEST_SESSION_COOKIE}=${GOOD}` }),
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "revoked:guest_session" } });
    expect(response.headers.getSetCookie()).toEqual([clear]);
  });

  it("429 keeps Retry-After and sets no cookie", async () => {
    answer = json(
      429,
      { error: { code: "rate_limited:guest_creation" } },
      { "retry-after": "42", "set-cookie": SET_A },
    );
    const response = await call(browserRequest({ mode: "lookup_or_create" }));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toMatchObject({ error: { code: "rate_limited:guest_creation" } });
  });

  it.each([
    ["404 on create", json(404, { error: { code: "not_found:route" } }, { "set-cookie": SET_A })],
    ["500", json(500, { error: { code: "internal:server" } }, { "set-cookie": SET_A })],
    [
      "400 from upstream",
      json(400, { error: { code: "bad_request:body" } }, { "set-cookie": SET_A }),
    ],
    [
      "204 on lookup_or_create",
      (res: ServerResponse) => {
        res.writeHead(204, { "set-cookie": SET_A });
        res.end();
      },
    ],
    [
      "a malformed 200 body",
      (res: ServerResponse) => {
        res.writeHead(200, { "content-type": "application/json", "set-cookie": SET_A });
        res.end('{"userId": "usr_1", "kind": ');
      },
    ],
    [
      "a 200 body off the contract",
      json(200, { ...SESSION, userId: "usr-with-dash" }, { "set-cookie": SET_A }),
    ],
    [
      "a 200 that is not JSON",
      (res: ServerResponse) => {
        res.writeHead(200, { "content-type": "text/html", "set-cookie": SET_A });
        res.end("<html>proxy error</html>");
      },
    ],
  ])("%s → 502 bad_gateway:authority, no Set-Cookie, never a miss", async (_name, reply) => {
    answer = reply;
    const response = await call(
      browserRequest({ mode: "lookup_or_create" }, { cookie: `${GUEST_SESSION_COOKIE}=${GOOD}` }),
    );
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      error: { code: "bad_gateway:authority", message: expect.any(String) },
    });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("a hanging authority → 504 timeout:authority, no Set-Cookie", async () => {
    answer = () => {}; // never answers
    const started = Date.now();
    const response = await call(browserRequest({ mode: "lookup_or_create" }), 300);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: { code: "timeout:authority" } });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("rejects cross-site and malformed requests before calling the authority", async () => {
    answer = json(200, SESSION);
    const crossSite = await call(
      browserRequest({ mode: "lookup_only" }, { origin: "https://evil.example" }),
    );
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: { code: "forbidden:origin" } });
    const noOrigin = new Request(`${ORIGIN}/api/web/guest-session`, {
      method: "POST",
      body: '{"mode":"lookup_only"}',
      headers: { host: "app.test", "content-type": "application/json" },
    });
    expect((await call(noOrigin)).status).toBe(403);
    const bad = await call(browserRequest({ mode: "nope" }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "bad_request:body" } });
    const big = await call(browserRequest({ mode: "lookup_only", legacyToken: "a".repeat(9000) }));
    expect(big.status).toBe(413);
    const text = await call(
      browserRequest('{"mode":"lookup_only"}', { "content-type": "text/plain" }),
    );
    expect(text.status).toBe(415);
    expect(received).toHaveLength(0);
  });
});

describe("the pipeline, with the guest-session spec, with no authority listening", () => {
  it("a refused connection → 503 unavailable:authority, no Set-Cookie", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const response = await proxyAuthorityRoute(
      browserRequest({ mode: "lookup_or_create" }, { cookie: `${GUEST_SESSION_COOKIE}=${GOOD}` }),
      GUEST_SESSION_ROUTE,
      {
        authorityUrl: `http://127.0.0.1:${port}`,
      },
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "unavailable:authority" } });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("no FOYER_AUTHORITY_URL → 503, not a crash", async () => {
    vi.stubEnv("FOYER_AUTHORITY_URL", "");
    const response = await proxyAuthorityRoute(
      browserRequest({ mode: "lookup_only" }),
      GUEST_SESSION_ROUTE,
    );
    expect(response.status).toBe(503);
  });
});

describe("the pipeline in front of a real authority", () => {
  let authority: TestAuthority;
  beforeAll(async () => {
    authority = await startTestAuthority({
      limits: { guestCreation: { perAddress: { points: 1, durationInSeconds: 60 } } },
    });
  });
  afterAll(async () => {
    await authority?.stop();
  });

  const create = (address: string) =>
    proxyAuthorityRoute(
      browserRequest({ mode: "lookup_or_create" }, { [CLIENT_ADDRESS_HEADER]: address }),
      GUEST_SESSION_ROUTE,
      { authorityUrl: authority.url, publicOrigins: [ORIGIN] },
    );

  it("is limited by the browser's address, which the authority believes from the web tier", async () => {
    expect((await create("203.0.113.7")).status).toBe(200);
    const limited = await create("203.0.113.7");
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited:guest_creation" } });
    // Another browser is not charged for the first one (both reach the authority from 127.0.0.1).
    expect((await create("198.51.100.7")).status).toBe(200);
  });

  it("without the signing key the proof is missing, and every browser is the web process", async () => {
    vi.stubEnv("FOYER_TOKEN_SIGNING_KEY", "");
    expect((await create("198.51.100.20")).status).toBe(200);
    expect((await create("198.51.100.21")).status).toBe(429);
  });
});
