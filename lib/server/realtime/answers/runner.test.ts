import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../shared/realtime/events";
import { estimateTokens, toLatestVersions } from "./runner";

function message(id: string, authorKind: "user" | "agent", replyTo: string | null = null) {
  return {
    id,
    channel: "direct-u-a",
    seq: 0,
    clientMessageId: null,
    authorId: authorKind === "user" ? "u" : "a",
    authorKind,
    body: id,
    createdAt: "2026-01-01T00:00:00.000Z",
    status: authorKind === "agent" ? "complete" : null,
    note: null,
    replyTo,
  } satisfies ChatMessage;
}

describe("toLatestVersions", () => {
  it("keeps only the newest answer to each question, and every user message", () => {
    const history = [
      message("q1", "user"),
      message("a1", "agent", "q1"),
      message("a1b", "agent", "q1"),
      message("q2", "user"),
      message("a2", "agent", "q2"),
      message("old", "agent"),
    ];
    expect(toLatestVersions(history).map((m) => m.id)).toEqual(["q1", "a1b", "q2", "a2", "old"]);
  });
});

describe("estimateTokens", () => {
  it("counts about four characters a token, rounding up", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
  });
});
