import { describe, expect, it } from "vitest";
import { createSessionGenerations } from "./generations";

describe("createSessionGenerations", () => {
  it("knows nothing until told, and fails closed", () => {
    const sessions = createSessionGenerations();
    expect(sessions.get("ses_1")).toBeNull();
    expect(sessions.isCurrent("ses_1", 1)).toBe(false);
  });

  it("accepts exactly the current generation of a live session", () => {
    const sessions = createSessionGenerations();
    sessions.record("ses_1", { generation: 2, revoked: false });
    expect(sessions.isCurrent("ses_1", 2)).toBe(true);
    expect(sessions.isCurrent("ses_1", 1)).toBe(false);
    expect(sessions.isCurrent("ses_1", 3)).toBe(false);
    expect(sessions.isCurrent("ses_2", 2)).toBe(false);
  });

  it("moves forward only: a stale read cannot undo a newer generation", () => {
    const sessions = createSessionGenerations();
    sessions.record("ses_1", { generation: 3, revoked: false });
    expect(sessions.record("ses_1", { generation: 2, revoked: false })).toEqual({
      generation: 3,
      revoked: false,
    });
    expect(sessions.isCurrent("ses_1", 2)).toBe(false);
  });

  it("keeps a revocation within its generation, whatever is read afterwards", () => {
    const sessions = createSessionGenerations();
    sessions.record("ses_1", { generation: 2, revoked: true });
    sessions.record("ses_1", { generation: 2, revoked: false });
    sessions.record("ses_1", { generation: 1, revoked: false });
    expect(sessions.get("ses_1")).toEqual({ generation: 2, revoked: true });
    expect(sessions.isCurrent("ses_1", 2)).toBe(false);
  });

  it("a revoke of the current generation refuses it", () => {
    const sessions = createSessionGenerations();
    sessions.record("ses_1", { generation: 1, revoked: false });
    sessions.record("ses_1", { generation: 1, revoked: true });
    expect(sessions.isCurrent("ses_1", 1)).toBe(false);
  });

  it("prunes only unreferenced entries idle for the TTL", () => {
    let now = 0;
    const sessions = createSessionGenerations({ idleTtlInMs: 1000, now: () => now });
    sessions.record("held", { generation: 1, revoked: false });
    sessions.retain("held");
    sessions.record("idle", { generation: 1, revoked: true });
    now = 999;
    sessions.prune();
    expect(sessions.size).toBe(2);
    now = 1000;
    sessions.prune();
    expect(sessions.get("idle")).toBeNull();
    expect(sessions.isCurrent("held", 1)).toBe(true);
    sessions.release("held");
    now = 1999;
    sessions.prune();
    expect(sessions.size).toBe(1);
    now = 2000;
    sessions.prune();
    expect(sessions.size).toBe(0);
  });

  it("counts references: one release of two keeps the entry", () => {
    let now = 0;
    const sessions = createSessionGenerations({ idleTtlInMs: 10, now: () => now });
    sessions.record("ses_1", { generation: 1, revoked: false });
    sessions.retain("ses_1");
    sessions.retain("ses_1");
    sessions.release("ses_1");
    now = 100;
    sessions.prune();
    expect(sessions.size).toBe(1);
  });

  it("lists the retained sessions, and says whether it is receiving", () => {
    const sessions = createSessionGenerations();
    expect(sessions.receiving).toBe(false);
    sessions.record("ses_1", { generation: 1, revoked: false });
    sessions.record("ses_2", { generation: 1, revoked: false });
    sessions.retain("ses_2");
    expect(sessions.retainedIds()).toEqual(["ses_2"]);
    sessions.release("ses_2");
    expect(sessions.retainedIds()).toEqual([]);
    sessions.setReceiving(true);
    expect(sessions.receiving).toBe(true);
  });

  it("refuses to retain an unknown session", () => {
    expect(() => createSessionGenerations().retain("ses_x")).toThrow(
      /retain\(\) before record\(\)/,
    );
  });

  describe("vouchesFor (a handshake may skip the store)", () => {
    const verified = (epoch: number, expiresAt: number | null = null) => ({
      userId: "usr_1",
      expiresAt,
      epoch,
    });

    it("only while receiving, for an entry read in this epoch, for its user and generation", () => {
      const sessions = createSessionGenerations({ now: () => 1_000 });
      sessions.record("ses_1", { generation: 2, revoked: false }, verified(sessions.epoch));
      // Not receiving yet: a node must say it hears every change.
      expect(sessions.vouchesFor("ses_1", "usr_1", 2)).toBe(false);
      sessions.setReceiving(true);
      // The read began before the node was receiving: it proves nothing about the gap.
      expect(sessions.vouchesFor("ses_1", "usr_1", 2)).toBe(false);
      sessions.record("ses_1", { generation: 2, revoked: false }, verified(sessions.epoch));
      expect(sessions.vouchesFor("ses_1", "usr_1", 2)).toBe(true);
      expect(sessions.vouchesFor("ses_1", "usr_other", 2)).toBe(false);
      expect(sessions.vouchesFor("ses_1", "usr_1", 1)).toBe(false);
      expect(sessions.vouchesFor("ses_2", "usr_1", 2)).toBe(false);
    });

    it("follows changes heard since the read, and stops at a revoke or the expiry", () => {
      const sessions = createSessionGenerations();
      sessions.setReceiving(true);
      sessions.record("ses_1", { generation: 2, revoked: false }, verified(sessions.epoch, 5_000));
      sessions.record("ses_1", { generation: 3, revoked: false });
      expect(sessions.vouchesFor("ses_1", "usr_1", 2, 0)).toBe(false);
      expect(sessions.vouchesFor("ses_1", "usr_1", 3, 0)).toBe(true);
      expect(sessions.vouchesFor("ses_1", "usr_1", 3, 5_000)).toBe(false);
      sessions.record("ses_1", { generation: 3, revoked: true });
      expect(sessions.vouchesFor("ses_1", "usr_1", 3, 0)).toBe(false);
    });

    it("vouches for nothing read before the node stopped hearing changes (a lost bus)", () => {
      const sessions = createSessionGenerations();
      sessions.setReceiving(true);
      sessions.record("ses_1", { generation: 1, revoked: false }, verified(sessions.epoch));
      sessions.setReceiving(false);
      expect(sessions.vouchesFor("ses_1", "usr_1", 1)).toBe(false);
      sessions.setReceiving(true);
      expect(sessions.vouchesFor("ses_1", "usr_1", 1)).toBe(false);
      // A read that began while the bus was down does not count either.
      const sessions2 = createSessionGenerations();
      const during = sessions2.epoch;
      sessions2.setReceiving(true);
      sessions2.record("ses_1", { generation: 1, revoked: false }, verified(during));
      expect(sessions2.vouchesFor("ses_1", "usr_1", 1)).toBe(false);
    });
  });
});
