import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestGateway, type TestGateway } from "./testing/gateway-harness";

/**
 * A handshake skips the store only for a session the gateway read in the current receiving
 * epoch and heard every change of since (a reconnect, a second tab), and never vouches for
 * anything once the node stops hearing changes.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

describe("handshake trust in the session table", () => {
  it("reads the store while the node does not say it receives every change", async () => {
    const reads = vi.spyOn(gw.sessionStates, "get");
    const user = await gw.createUser();
    (await gw.connect({ token: user.token })).disconnect();
    (await gw.connect({ token: user.token })).disconnect();
    expect(reads.mock.calls.filter(([id]) => id === user.sessionId)).toHaveLength(2);
    reads.mockRestore();
  });

  it("skips the store for a known session, and refuses it once revoked (even if the store says live)", async () => {
    gw.gateway.setReceivingChanges(true);
    const reads = vi.spyOn(gw.sessionStates, "get");
    const user = await gw.createUser();
    const readsOf = () => reads.mock.calls.filter(([id]) => id === user.sessionId).length;
    (await gw.connect({ token: user.token })).disconnect();
    (await gw.connect({ token: user.token })).disconnect();
    (await gw.connect({ token: user.token })).disconnect();
    expect(readsOf()).toBe(1);
    await gw.gateway.applySessionChange({
      sessionId: user.sessionId,
      generation: 1,
      revoked: true,
    });
    await expect(gw.connect({ token: user.token })).rejects.toThrow("unauthorized");
    reads.mockRestore();
  });

  it("reads the store again after a gap in what the node heard (the bus was lost)", async () => {
    gw.gateway.setReceivingChanges(true);
    const reads = vi.spyOn(gw.sessionStates, "get");
    const user = await gw.createUser();
    (await gw.connect({ token: user.token })).disconnect();
    gw.gateway.setReceivingChanges(false);
    gw.gateway.setReceivingChanges(true);
    // Revoked in the store while the node was deaf: only a fresh read can know.
    gw.sessionStates.set(user.sessionId, { userId: user.userId, generation: 1, revoked: true });
    await expect(gw.connect({ token: user.token })).rejects.toThrow("unauthorized");
    expect(reads.mock.calls.filter(([id]) => id === user.sessionId)).toHaveLength(2);
    reads.mockRestore();
  });
});
