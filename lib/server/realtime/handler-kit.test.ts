import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { SocketData } from "../../shared/realtime/events";
import { createBudgetKeeper, UNLIMITED_SOCKET_BUDGETS } from "./budgets";
import type { GatewayContext } from "./context";
import { createDrainGate } from "./drain";
import {
  checkEventSession,
  checkSession,
  createListener,
  defineHandler,
  type EventSessionCheck,
  type GatewaySocket,
  ok,
} from "./handler-kit";
import { createSessionGenerations } from "./sessions/generations";

const data = (over: Partial<SocketData> = {}): SocketData => ({
  userId: "usr_1",
  sessionId: "ses_1",
  kind: "guest",
  generation: 1,
  tokenExpiresAt: 10_000,
  ...over,
});

describe("checkSession (the per-event check)", () => {
  const sessions = createSessionGenerations();
  sessions.record("ses_1", { generation: 1, revoked: false });

  it("lets a current, unexpired socket act", () => {
    expect(checkSession({ sessions }, data(), false, 9_999)).toBeNull();
  });

  it("refuses a rotated-away generation as stale, a newer one and an unknown session as revoked", () => {
    expect(checkSession({ sessions }, data({ generation: 0 }), false, 0)?.code).toBe("stale:token");
    // A stale socket may still refresh its token in place (that is how it recovers).
    expect(checkSession({ sessions }, data({ generation: 0 }), true, 0)).toBeNull();
    expect(checkSession({ sessions }, data({ generation: 2 }), false, 0)?.code).toBe(
      "revoked:session",
    );
    expect(checkSession({ sessions }, data({ sessionId: "ses_x" }), false, 0)?.code).toBe(
      "revoked:session",
    );
  });

  it("refuses an expired token unless the event may refresh it", () => {
    expect(checkSession({ sessions }, data(), false, 10_000)?.code).toBe("unauthorized:token");
    expect(checkSession({ sessions }, data(), true, 10_000)).toBeNull();
  });

  it("refuses a revoked session even for a refresh", () => {
    const revoked = createSessionGenerations();
    revoked.record("ses_1", { generation: 1, revoked: true });
    expect(checkSession({ sessions: revoked }, data(), true, 0)?.code).toBe("revoked:session");
  });
});

describe("createListener runs the gateway's per-event session check", () => {
  const handler = defineHandler({
    event: "agent:list",
    eventClass: "read",
    schema: z.object({}).nullish(),
    handle: async () => ok({ agents: [] }),
  });

  async function emitOnRevokedSession(check: EventSessionCheck = checkEventSession) {
    const sessions = createSessionGenerations();
    sessions.setReceiving(true);
    sessions.record("ses_1", { generation: 1, revoked: true });
    const ctx = {
      sessions,
      log: () => {},
      checkEventSession: check,
      budgets: createBudgetKeeper(UNLIMITED_SOCKET_BUDGETS),
      gate: createDrainGate(),
    } as unknown as GatewayContext;
    const socket = {
      data: data({ tokenExpiresAt: Date.now() + 60_000 }),
      disconnect: () => {},
    } as unknown as GatewaySocket;
    // Shared by every socket: EventEmitter calls it with its socket as `this`.
    const listener = createListener(ctx, handler);
    let ack: unknown;
    await listener.call(socket, {}, (a: unknown) => {
      ack = a;
    });
    return ack as { status: string };
  }

  it("refuses an event of a revoked session with the gateway's check", async () => {
    expect(await emitOnRevokedSession()).toMatchObject({
      status: "ERROR",
      code: "revoked:session",
    });
  });

  it("answers by the check it was given (a measurement's baseline passes every event)", async () => {
    expect((await emitOnRevokedSession(() => null)).status).toBe("OK");
  });
});

describe("createListener on a node that may have missed changes (not receiving)", () => {
  const handler = defineHandler({
    event: "agent:list",
    eventClass: "read",
    schema: z.object({}).nullish(),
    handle: async () => ok({ agents: [] }),
  });

  function setUp(stored: { generation: number; revoked: boolean } | null) {
    const sessions = createSessionGenerations();
    sessions.record("ses_1", { generation: 1, revoked: false });
    sessions.retain("ses_1");
    const reads: string[] = [];
    const emitted: string[] = [];
    const socket = {
      data: data({ tokenExpiresAt: Date.now() + 60_000 }),
      emit: (event: string) => void emitted.push(event),
      disconnect: () => void emitted.push("disconnect"),
    } as unknown as GatewaySocket;
    const ctx = {
      sessions,
      log: () => {},
      io: {
        sockets: {
          adapter: { rooms: new Map([["session:ses_1", new Set(["s1"])]]) },
          sockets: new Map([["s1", socket]]),
        },
      },
      loadSessionState: async (id: string) => {
        reads.push(id);
        return stored && { userId: "usr_1", ...stored };
      },
      checkEventSession,
      budgets: createBudgetKeeper(UNLIMITED_SOCKET_BUDGETS),
      gate: createDrainGate(),
    } as unknown as GatewayContext;
    const listener = createListener(ctx, handler);
    const emit = async () => {
      let ack: unknown;
      await listener.call(socket, {}, (a: unknown) => {
        ack = a;
      });
      return ack as { status: string; code?: string };
    };
    return { sessions, reads, emitted, emit };
  }

  it("reads the session from the store on every event while not receiving", async () => {
    const { reads, emit, sessions } = setUp({ generation: 1, revoked: false });
    expect((await emit()).status).toBe("OK");
    expect((await emit()).status).toBe("OK");
    expect(reads).toEqual(["ses_1", "ses_1"]);
    sessions.setReceiving(true);
    expect((await emit()).status).toBe("OK");
    expect(reads).toHaveLength(2);
  });

  it("refuses and disconnects when the store says revoked, though memory says live", async () => {
    const { emit, emitted, sessions } = setUp({ generation: 2, revoked: true });
    expect(await emit()).toMatchObject({ status: "ERROR", code: "revoked:session" });
    expect(sessions.get("ses_1")).toEqual({ generation: 2, revoked: true });
    expect(emitted).toContain("session:revoked");
    expect(emitted).toContain("disconnect");
  });

  it("refuses when the session is gone from the store", async () => {
    const { emit } = setUp(null);
    expect(await emit()).toMatchObject({ status: "ERROR", code: "revoked:session" });
  });
});
