import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../shared/realtime/events";
import { ANSWER_MAX_LENGTH, appendPiece, estimateTokens, toLatestVersions } from "./runner";

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

  it("drops answers a fault cut off, keeping the earlier answer a failed retry followed", () => {
    const failed = { ...message("a1b", "agent", "q1"), status: "failed" as const };
    const history = [message("q1", "user"), message("a1", "agent", "q1"), failed];
    expect(toLatestVersions(history).map((m) => m.id)).toEqual(["q1", "a1"]);
  });
});

describe("estimateTokens", () => {
  it("counts about four characters a token, rounding up", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
  });
});

describe("appendPiece", () => {
  const fresh = () => ({ text: "", held: "" });

  it("drops NULs and replaces lone surrogates, so the answer can be stored", () => {
    const answer = fresh();
    appendPiece(answer, "a\u0000b");
    appendPiece(answer, "\uDC00c");
    expect(answer.text).toBe("ab\uFFFDc");
  });

  it("joins a surrogate pair split across two pieces", () => {
    const answer = fresh();
    const [high, low] = ["😀".charAt(0), "😀".charAt(1)];
    expect(appendPiece(answer, `hi ${high}`)).toBe("hi ");
    expect(appendPiece(answer, `${low}!`)).toBe("😀!");
    expect(answer.text).toBe("hi 😀!");
  });

  it("cuts at the answer's longest length without leaving half a pair", () => {
    const answer = { text: "x".repeat(ANSWER_MAX_LENGTH - 2), held: "" };
    appendPiece(answer, "y😀z");
    expect(answer.text.length).toBe(ANSWER_MAX_LENGTH - 1);
    expect(answer.text.endsWith("y")).toBe(true);
    appendPiece(answer, "more");
    expect(answer.text.length).toBeLessThanOrEqual(ANSWER_MAX_LENGTH);
  });
});
