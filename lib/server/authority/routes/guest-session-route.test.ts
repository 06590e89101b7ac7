import { describe, expect, it } from "vitest";
import { GUEST_SESSION_COOKIE } from "../../../shared/names";
import { toGuestSessionReply } from "./guest-session-route";

const minted = { token: "tok", expiresAt: new Date("2030-01-01T00:00:00Z") };
const session = { kind: "session", userId: "usr_1", sessionId: "ses_1", generation: 3 } as const;

describe("toGuestSessionReply", () => {
  it("answers a looked-up session with 200 and no cookie", () => {
    expect(toGuestSessionReply({ ...session, via: "cookie" }, minted)).toEqual({
      status: 200,
      body: {
        userId: "usr_1",
        kind: "guest",
        socketToken: "tok",
        expiresAt: "2030-01-01T00:00:00.000Z",
      },
      headers: {},
    });
  });

  it("sets the new cookie for a created or re-issued session", () => {
    const reply = toGuestSessionReply(
      { ...session, via: "created", newCookieValue: "b".repeat(43) },
      minted,
    );
    expect(reply.headers["set-cookie"]).toMatch(new RegExp(`^${GUEST_SESSION_COOKIE}=b{43};`));
  });

  it("needs a token for a session", () => {
    expect(() => toGuestSessionReply({ ...session, via: "cookie" })).toThrow();
  });

  it("answers revoked with 403 and a clearing cookie", () => {
    const reply = toGuestSessionReply({ kind: "revoked", reason: "merged" });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({
      error: { code: "revoked:guest_session", reason: "merged" },
    });
    expect(reply.headers["set-cookie"]).toMatch(/Max-Age=0/);
  });

  it("answers a miss with 204 and no body", () => {
    expect(toGuestSessionReply({ kind: "miss" })).toEqual({ status: 204, headers: {} });
  });

  it("answers rate limiting with 429 and Retry-After", () => {
    const reply = toGuestSessionReply({ kind: "rate_limited", retryAfterSeconds: 7 });
    expect(reply.status).toBe(429);
    expect(reply.headers).toEqual({ "retry-after": "7" });
    expect(reply.body).toMatchObject({ error: { code: "rate_limited:guest_creation" } });
  });
});
