import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSocketToken } from "../authority/create-socket-token";
import { SOCKET_TOKEN_TTL_IN_SECONDS } from "../common/socket-tokens";
import { HANDSHAKE_REFUSED } from "./handshake";
import { emitAck, startTestGateway, type TestGateway } from "./testing/gateway-harness";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
}, 60_000);
afterAll(() => t.close());

/** The connect_error of a handshake that must be refused (fails the test if it connects). */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: Error) => error,
  );
  if (!outcome) throw new Error("the handshake was accepted but must be refused");
  return outcome;
}

describe("gateway handshake", () => {
  it("accepts a valid token from the same origin, and the socket can act", async () => {
    const a = await t.createUser();
    const socket = await t.connect({ token: a.token });
    const ack = await emitAck(socket, "agent:list", {});
    expect(ack.status).toBe("OK");
  });

  it("refuses a handshake without a token", async () => {
    expect((await refusal(t.connect({ token: null }))).message).toBe(HANDSHAKE_REFUSED);
  });

  it.each(["garbage", "a.b.c", "", "x".repeat(5000)])(
    "refuses the garbage token %#",
    async (token) => {
      expect((await refusal(t.connect({ token }))).message).toBe(HANDSHAKE_REFUSED);
    },
  );

  it("refuses a non-string token", async () => {
    const socket = t.connect({ token: 42 as unknown as string });
    expect((await refusal(socket)).message).toBe(HANDSHAKE_REFUSED);
  });

  it("refuses a token signed with another key", async () => {
    const a = await t.createUser();
    const { token } = await createSocketToken(
      { ...a, kind: "guest", generation: 1 },
      "another-key",
    );
    expect((await refusal(t.connect({ token }))).message).toBe(HANDSHAKE_REFUSED);
  });

  it("refuses an expired token", async () => {
    const a = await t.createUser();
    const issued = new Date(Date.now() - (SOCKET_TOKEN_TTL_IN_SECONDS + 5) * 1000);
    const token = await t.mintToken(a, 1, issued);
    expect((await refusal(t.connect({ token }))).message).toBe(HANDSHAKE_REFUSED);
  });

  it("ignores a token in the query string", async () => {
    const a = await t.createUser();
    const socket = t.connect({ token: null, query: { token: a.token, auth: a.token } });
    expect((await refusal(socket)).message).toBe(HANDSHAKE_REFUSED);
  });

  it.each(["http://evil.example", "null", "http://127.0.0.1.evil.example"])(
    "refuses the foreign Origin %s",
    async (origin) => {
      const a = await t.createUser();
      await refusal(t.connect({ token: a.token, origin }));
    },
  );

  it("refuses a handshake with no Origin at all", async () => {
    const a = await t.createUser();
    await refusal(t.connect({ token: a.token, origin: null }));
  });

  it("refuses a token whose session was revoked", async () => {
    const a = await t.createUser();
    t.sessionStates.set(a.sessionId, { userId: a.userId, generation: 2, revoked: true });
    expect((await refusal(t.connect({ token: a.token }))).message).toBe(HANDSHAKE_REFUSED);
  });

  it("refuses a token of an older generation (rotated session)", async () => {
    const a = await t.createUser();
    t.sessionStates.set(a.sessionId, { userId: a.userId, generation: 2, revoked: false });
    expect((await refusal(t.connect({ token: a.token }))).message).toBe(HANDSHAKE_REFUSED);
    const fresh = await t.mintToken(a, 2);
    await expect(t.connect({ token: fresh })).resolves.toBeTruthy();
  });

  it("refuses a token for an unknown session or one owned by another user", async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    const unknown = await t.mintToken({ userId: a.userId, sessionId: "ses_unknown" });
    await refusal(t.connect({ token: unknown }));
    const forged = await t.mintToken({ userId: a.userId, sessionId: b.sessionId });
    expect((await refusal(t.connect({ token: forged }))).message).toBe(HANDSHAKE_REFUSED);
  });

  it("refuses a session revoked by applySessionChange even if the store still says live", async () => {
    const a = await t.createUser();
    t.gateway.applySessionChange({ sessionId: a.sessionId, generation: 1, revoked: true });
    expect((await refusal(t.connect({ token: a.token }))).message).toBe(HANDSHAKE_REFUSED);
  });

  it("runs without connection-state recovery (a recovered socket would skip these checks)", () => {
    expect(Reflect.get(t.gateway.io, "opts").connectionStateRecovery).toBeFalsy();
    expect(t.gateway.io.path()).toBe("/socket.io");
  });
});
