import { describe, expect, it } from "vitest";
import type { GuestSessionMode } from "../../../shared/contracts/guest-session";
import type { AuthorityResponse } from "../authority-client/create-authority-client";
import { toGuestSessionProxyReply } from "./guest-session-reply";
import { type AuthorityOutcome, toResponse } from "./proxy-reply";

const SESSION = {
  userId: "usr_abc123",
  kind: "guest",
  socketToken: "tok.en.value",
  expiresAt: "2030-01-01T00:00:00.000Z",
};
const SET = "__Host-foyer_guest_session=abc; Path=/; HttpOnly; Secure; SameSite=Lax";
const CLEAR = "__Host-foyer_guest_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax";

function upstream(
  status: number,
  body: unknown,
  extra: Partial<AuthorityResponse> = {},
): AuthorityOutcome {
  return {
    kind: "response",
    response: { status, headers: {}, setCookie: [SET, CLEAR], body, ...extra },
  };
}
const revoked = { error: { code: "revoked:guest_session", message: "x" } };

interface Row {
  name: string;
  mode: GuestSessionMode;
  outcome: AuthorityOutcome;
  status: number;
  code?: string;
  cookies: boolean;
}

const rows: Row[] = [
  {
    name: "200 valid",
    mode: "lookup_or_create",
    outcome: upstream(200, SESSION),
    status: 200,
    cookies: true,
  },
  {
    name: "200 valid, lookup_only",
    mode: "lookup_only",
    outcome: upstream(200, SESSION),
    status: 200,
    cookies: true,
  },
  {
    name: "200 malformed body",
    mode: "lookup_or_create",
    outcome: upstream(200, { userId: "a-b" }),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "200 no body",
    mode: "lookup_or_create",
    outcome: upstream(200, undefined),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "204 on lookup_only",
    mode: "lookup_only",
    outcome: upstream(204, undefined),
    status: 204,
    cookies: true,
  },
  {
    name: "204 on lookup_or_create",
    mode: "lookup_or_create",
    outcome: upstream(204, undefined),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "403 revoked",
    mode: "lookup_or_create",
    outcome: upstream(403, revoked),
    status: 403,
    code: "revoked:guest_session",
    cookies: true,
  },
  {
    name: "403 other code",
    mode: "lookup_only",
    outcome: upstream(403, { error: { code: "forbidden:origin" } }),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "403 no body",
    mode: "lookup_only",
    outcome: upstream(403, undefined),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "429",
    mode: "lookup_or_create",
    outcome: upstream(429, {}, { headers: { "retry-after": "17" } }),
    status: 429,
    code: "rate_limited:guest_creation",
    cookies: false,
  },
  {
    name: "400 from upstream",
    mode: "lookup_or_create",
    outcome: upstream(400, { error: { code: "bad_request:body" } }),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "404 on create",
    mode: "lookup_or_create",
    outcome: upstream(404, {}),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "404 on lookup",
    mode: "lookup_only",
    outcome: upstream(404, {}),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "500",
    mode: "lookup_only",
    outcome: upstream(500, {}),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "503",
    mode: "lookup_or_create",
    outcome: upstream(503, {}),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "201 unexpected",
    mode: "lookup_or_create",
    outcome: upstream(201, SESSION),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "302 redirect",
    mode: "lookup_or_create",
    outcome: upstream(302, undefined),
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
  {
    name: "refused",
    mode: "lookup_or_create",
    outcome: { kind: "failure", failure: "refused" },
    status: 503,
    code: "unavailable:authority",
    cookies: false,
  },
  {
    name: "timeout",
    mode: "lookup_only",
    outcome: { kind: "failure", failure: "timeout" },
    status: 504,
    code: "timeout:authority",
    cookies: false,
  },
  {
    name: "other failure",
    mode: "lookup_only",
    outcome: { kind: "failure", failure: "other" },
    status: 502,
    code: "bad_gateway:authority",
    cookies: false,
  },
];

describe("toGuestSessionProxyReply", () => {
  it.each(rows)("$name → $status", async ({ mode, outcome, status, code, cookies }) => {
    const reply = toGuestSessionProxyReply(mode, outcome);
    expect(reply.status).toBe(status);
    const setCookies = reply.headers.filter(([n]) => n === "set-cookie").map(([, v]) => v);
    expect(setCookies).toEqual(cookies ? [SET, CLEAR] : []);
    if (code) expect(reply.body).toMatchObject({ error: { code, message: expect.any(String) } });
    const response = toResponse(reply);
    expect(response.status).toBe(status);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.getSetCookie()).toEqual(cookies ? [SET, CLEAR] : []);
    if (status === 204) expect(await response.text()).toBe("");
  });

  it("passes a valid session through as the same JSON", async () => {
    const response = toResponse(
      toGuestSessionProxyReply("lookup_or_create", upstream(200, SESSION)),
    );
    expect(await response.json()).toEqual(SESSION);
    expect(response.headers.get("content-type")).toContain("application/json");
  });

  it("passes a delta-seconds Retry-After and drops anything else", () => {
    const ok = toGuestSessionProxyReply(
      "lookup_or_create",
      upstream(429, {}, { headers: { "retry-after": "17" } }),
    );
    expect(ok.headers).toContainEqual(["retry-after", "17"]);
    const bad = toGuestSessionProxyReply(
      "lookup_or_create",
      upstream(429, {}, { headers: { "retry-after": "17\r\nx: y" } }),
    );
    expect(bad.headers.find(([n]) => n === "retry-after")).toBeUndefined();
  });

  it("never echoes the upstream body in an error", () => {
    const reply = toGuestSessionProxyReply("lookup_only", upstream(500, { secret: "tok_leak" }));
    expect(JSON.stringify(reply.body)).not.toContain("tok_leak");
  });
});
