import { describe, expect, it } from "vitest";
import { CHANNEL_ACCESS_DENIED, isParticipant, parseChannel, toDirectChannel } from "./channels";

describe("toDirectChannel", () => {
  it("builds direct-<user>-<agent>", () => {
    expect(toDirectChannel("usr_1", "concierge")).toBe("direct-usr_1-concierge");
  });

  it.each([
    ["a-b", "agent"],
    ["user", "a-b"],
    ["", "agent"],
    ["user", ""],
    ["user", "agent with space"],
    ["x".repeat(65), "agent"],
  ])("throws on ids that would make the name ambiguous (%j, %j)", (user, agent) => {
    expect(() => toDirectChannel(user, agent)).toThrow(/channels: invalid id/);
  });

  it("throws on non-string ids", () => {
    expect(() => toDirectChannel(1 as unknown as string, "agent")).toThrow();
    expect(() => toDirectChannel("user", null as unknown as string)).toThrow();
  });

  it("round-trips through parseChannel", () => {
    const name = toDirectChannel("usr_ABC_09", "story_teller");
    expect(parseChannel(name)).toEqual({
      kind: "direct",
      userId: "usr_ABC_09",
      agentId: "story_teller",
    });
  });
});

describe("parseChannel", () => {
  it.each([
    "",
    "direct",
    "direct-",
    "direct--",
    "direct-usr_1",
    "direct-usr_1-",
    "direct--concierge",
    "direct-usr_1-concierge-extra",
    "direct-usr-1-concierge",
    "Direct-usr_1-concierge",
    "group-usr_1-concierge",
    " direct-usr_1-concierge",
    "direct-usr_1-concierge ",
    "direct-usr_1-concierge\n",
    "direct-usr_1-conc ierge",
    "direct-usr_1-concierge\u0000",
    "direct-usr_1-concièrge",
    `direct-${"u".repeat(65)}-concierge`,
    `direct-usr_1-${"a".repeat(10_000)}`,
  ])("rejects %j", (name) => {
    expect(parseChannel(name)).toBeNull();
  });

  it.each([null, undefined, 42, {}, [], ["direct-usr_1-concierge"], true])(
    "rejects the non-string %j",
    (value) => {
      expect(parseChannel(value)).toBeNull();
    },
  );

  it("rejects names longer than 200 characters even when the parts look valid", () => {
    expect(parseChannel(`direct-${"u".repeat(100)}-${"a".repeat(100)}`)).toBeNull();
  });
});

describe("isParticipant", () => {
  const name = "direct-usr_1-concierge";

  it("admits the channel's user and agent", () => {
    expect(isParticipant(name, "usr_1")).toBe(true);
    expect(isParticipant(name, "concierge")).toBe(true);
  });

  it("refuses anyone else, prefixes and suffixes included", () => {
    expect(isParticipant(name, "usr_2")).toBe(false);
    expect(isParticipant(name, "usr_")).toBe(false);
    expect(isParticipant(name, "usr_11")).toBe(false);
    expect(isParticipant(name, "")).toBe(false);
  });

  it("refuses malformed names for everyone", () => {
    expect(isParticipant("direct-usr_1-concierge-usr_2", "usr_2")).toBe(false);
    expect(isParticipant(null, "usr_1")).toBe(false);
    expect(isParticipant(`${name}-x`, "usr_1")).toBe(false);
  });

  it("has one exact denial text", () => {
    expect(CHANNEL_ACCESS_DENIED).toBe("Channel access denied. User is not a participant");
  });
});
