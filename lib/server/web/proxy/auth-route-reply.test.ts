import { describe, expect, it } from "vitest";
import { authResponseSchema, signInRequestSchema } from "../../../shared/contracts/auth";
import { GUEST_SESSION_COOKIE, MEMBER_SESSION_COOKIE } from "../../../shared/names";
import type {
  AuthorityRequest,
  AuthorityResponse,
} from "../authority-client/create-authority-client";
import { type AuthRouteSpec, defineAuthRoute, toAuthRouteReply } from "./auth-route-reply";
import { proxyAuthorityRoute } from "./authority-route";

const SPEC: AuthRouteSpec = {
  path: "/v1/auth/sign-in",
  request: signInRequestSchema,
  response: authResponseSchema,
  errors: { "unauthorized:credentials": "Email or password is incorrect." },
};
const MEMBER = {
  userId: "usr_m1",
  kind: "member",
  email: "a@example.test",
  socketToken: "t.o.k",
  expiresAt: "2030-01-01T00:00:00.000Z",
  merge: { status: "merged", channels: 1, messages: 2, stars: 0 },
};
const SET_MEMBER = `${MEMBER_SESSION_COOKIE}=seal; Max-Age=9; Path=/; HttpOnly; Secure; SameSite=Lax`;
const CLEAR_GUEST = `${GUEST_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;

function upstream(status: number, body: unknown, setCookie: string[] = []): AuthorityResponse {
  return { status, headers: {}, setCookie, body };
}

function harness(answer: AuthorityResponse | Error) {
  const calls: AuthorityRequest[] = [];
  const call = async (request: AuthorityRequest) => {
    calls.push(request);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, call };
}

function request(body: unknown, headers: Record<string, string> = {}) {
  return new Request("http://localhost:3000/api/web/auth/sign-in", {
    method: "POST",
    headers: {
      host: "localhost:3000",
      origin: "http://localhost:3000",
      "content-type": "application/json",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const GOOD = { email: "a@example.test", password: "secret123" };

describe("the pipeline with an auth route's spec", () => {
  it("refuses a cross-site or origin-less request (login CSRF) before calling the authority", async () => {
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { origin: "" },
    ];
    for (const headers of crossSite) {
      const { calls, call } = harness(upstream(200, MEMBER, [SET_MEMBER]));
      const res = await proxyAuthorityRoute(request(GOOD, headers), defineAuthRoute(SPEC), {
        call,
      });
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe("forbidden:origin");
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(calls).toEqual([]);
    }
  });

  it("answers invalid fields with 400 and a message per field, without calling", async () => {
    const { calls, call } = harness(upstream(200, MEMBER));
    const res = await proxyAuthorityRoute(
      request({ email: "nope", password: "" }),
      defineAuthRoute(SPEC),
      { call },
    );
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("bad_request:body");
    expect(Object.keys(body.error.fields).sort()).toEqual(["email", "password"]);
    expect(JSON.stringify(body)).not.toContain("nope");
    expect(calls).toEqual([]);
  });

  it("refuses a guest id in the body (only the cookie names the guest)", async () => {
    const { calls, call } = harness(upstream(200, MEMBER));
    const res = await proxyAuthorityRoute(
      request({ ...GOOD, guestId: "usr_forged" }),
      defineAuthRoute(SPEC),
      { call },
    );
    expect(res.status).toBe(400);
    expect(calls).toEqual([]);
  });

  it("forwards only the guest cookie, puts the member cookie in the body, passes cookies through", async () => {
    const { calls, call } = harness(upstream(200, MEMBER, [SET_MEMBER, CLEAR_GUEST]));
    const cookie = `a=1; ${GUEST_SESSION_COOKIE}=${"g".repeat(43)}; ${MEMBER_SESSION_COOKIE}=oldSeal`;
    const res = await proxyAuthorityRoute(request(GOOD, { cookie }), defineAuthRoute(SPEC), {
      call,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(MEMBER);
    expect(res.headers.getSetCookie()).toEqual([SET_MEMBER, CLEAR_GUEST]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers?.cookie).toBe(`${GUEST_SESSION_COOKIE}=${"g".repeat(43)}`);
    expect(calls[0]?.body).toEqual({ ...GOOD, memberSession: "oldSeal" });
  });
});

describe("toAuthRouteReply", () => {
  const response = (r: AuthorityResponse) =>
    toAuthRouteReply(SPEC, { kind: "response", response: r });

  it("passes a known error through with the user-facing message", () => {
    const reply = response(
      upstream(401, { error: { code: "unauthorized:credentials", message: "authority: x" } }),
    );
    expect(reply).toMatchObject({
      status: 401,
      body: {
        error: { code: "unauthorized:credentials", message: "Email or password is incorrect." },
      },
    });
  });

  it.each([
    ["a malformed 200", upstream(200, { userId: "x" }, [SET_MEMBER]), 502],
    [
      "an unlisted error",
      upstream(409, { error: { code: "conflict:account", message: "x" } }),
      502,
    ],
    ["a 204 for a route that answers a body", upstream(204, undefined, [SET_MEMBER]), 502],
    ["a 500", upstream(500, { error: { code: "internal:server", message: "x" } }), 502],
  ])("makes %s a gateway error and drops its cookies", (_name, r, status) => {
    const reply = response(r);
    expect(reply.status).toBe(status);
    expect(reply.headers).toEqual([]);
  });

  it.each([
    ["refused", 503],
    ["timeout", 504],
    ["other", 502],
  ] as const)("maps a %s upstream to %i", (failure, status) => {
    expect(toAuthRouteReply(SPEC, { kind: "failure", failure }).status).toBe(status);
  });
});
