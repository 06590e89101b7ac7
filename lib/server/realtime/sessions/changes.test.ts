import { describe, expect, it } from "vitest";
import type { GatewayContext } from "../context";
import { applyStoredState } from "./changes";
import { createSessionGenerations } from "./generations";

describe("applyStoredState", () => {
  function setUp() {
    const sessions = createSessionGenerations();
    sessions.record("ses_1", { generation: 2, revoked: false });
    const logged: Record<string, unknown>[] = [];
    const ctx = {
      sessions,
      io: { sockets: { adapter: { rooms: new Map() }, sockets: new Map() } },
      log: (_event: string, fields: Record<string, unknown>) => void logged.push(fields),
    } as unknown as Pick<GatewayContext, "io" | "sessions" | "log">;
    return { sessions, ctx, logged };
  }

  it("changes nothing when the store agrees, or is behind", () => {
    const { ctx, sessions, logged } = setUp();
    expect(applyStoredState(ctx, "ses_1", { generation: 2, revoked: false })).toBe(false);
    expect(applyStoredState(ctx, "ses_1", { generation: 1, revoked: true })).toBe(false);
    expect(sessions.get("ses_1")).toEqual({ generation: 2, revoked: false });
    expect(logged).toEqual([]);
  });

  it("applies a rotation or revocation it missed", () => {
    const { ctx, sessions } = setUp();
    expect(applyStoredState(ctx, "ses_1", { generation: 3, revoked: false })).toBe(true);
    expect(sessions.isCurrent("ses_1", 3)).toBe(true);
    expect(applyStoredState(ctx, "ses_1", { generation: 3, revoked: true })).toBe(true);
    expect(sessions.get("ses_1")).toEqual({ generation: 3, revoked: true });
  });

  it("treats a session gone from the store as revoked", () => {
    const { ctx, sessions } = setUp();
    expect(applyStoredState(ctx, "ses_1", null)).toBe(true);
    expect(sessions.isCurrent("ses_1", 2)).toBe(false);
  });
});
