import { describe, expect, it } from "vitest";
import {
  createAnswerTokens,
  DEFAULT_ANSWER,
  DEFAULT_ANSWER_TOKENS,
  NO_CHOICES_CHUNK,
  RATE_LIMIT_DEFAULT_SECONDS,
  SLOW_DEFAULTS,
  toMarkedBehaviour,
  toTokens,
} from "./fake-openai-behaviours";

describe("the fake's answers", () => {
  it("streams a default answer with a list, a fenced ts block and a link", () => {
    expect(DEFAULT_ANSWER_TOKENS.join("")).toBe(DEFAULT_ANSWER);
    expect(DEFAULT_ANSWER).toMatch(/^- /m);
    expect(DEFAULT_ANSWER).toMatch(/^```ts\n[\s\S]+\n```$/m);
    expect(DEFAULT_ANSWER).toMatch(/\[[^\]]+\]\(https:\/\/[^)]+\)/);
    expect(DEFAULT_ANSWER_TOKENS.length).toBeGreaterThan(20);
  });

  it("cuts text into words that keep the whitespace before them", () => {
    expect(toTokens("Hi there,\n\n- item")).toEqual(["Hi", " there,", "\n\n-", " item"]);
  });

  it.each([0, 1, 200, 2000])("builds exactly %i tokens, the same each time", (count) => {
    const tokens = createAnswerTokens(count);
    expect(tokens).toHaveLength(count);
    expect(createAnswerTokens(count)).toEqual(tokens);
    expect(tokens.every((token) => token.length > 0)).toBe(true);
  });
});

describe("toMarkedBehaviour", () => {
  it.each([
    ["no marker here", null],
    ["[fake:unknown]", null],
    ["please [fake:normal]", { kind: "normal" }],
    ["[fake:slow]", { kind: "normal", ...SLOW_DEFAULTS }],
    ["[fake:slow:200:20] go", { kind: "normal", firstTokenDelayMs: 200, tokenDelayMs: 20 }],
    ["[fake:no-usage]", { kind: "normal", usage: false }],
    ["[fake:disconnect:4]", { kind: "disconnect", afterTokens: 4 }],
    ["[fake:401]", { kind: "status", status: 401 }],
    ["[fake:404]", { kind: "status", status: 404 }],
    ["[fake:500]", { kind: "status", status: 500 }],
    ["[fake:429]", { kind: "status", status: 429, retryAfterSeconds: RATE_LIMIT_DEFAULT_SECONDS }],
    ["[fake:429:3]", { kind: "status", status: 429, retryAfterSeconds: 3 }],
    ["[FAKE:HANG]", { kind: "hang" }],
    ["[fake:stall:2]", { kind: "stall", afterTokens: 2 }],
    ["[fake:malformed]", { kind: "malformed" }],
    ["[fake:no-choices:1]", { kind: "malformed", afterTokens: 1, chunk: NO_CHOICES_CHUNK }],
    ["[fake:stream-error]", { kind: "stream-error" }],
    ["[fake:no-done]", { kind: "no-done" }],
  ])("reads %j", (text, expected) => {
    const behaviour = toMarkedBehaviour(text);
    if (expected === null) expect(behaviour).toBeNull();
    else expect(behaviour).toMatchObject(expected);
  });

  it("reads [fake:echo] as a normal answer of the message without its marker", () => {
    const behaviour = toMarkedBehaviour("[fake:echo] Say <b>this</b>,\n\nplease");
    expect(behaviour).toEqual({ kind: "normal", tokens: ["Say", " <b>this</b>,", "\n\nplease"] });
  });

  it("reads [fake:tokens:N:GAP] as a normal answer of N tokens", () => {
    const behaviour = toMarkedBehaviour("[fake:tokens:2000:5]");
    expect(behaviour).toMatchObject({ kind: "normal", tokenDelayMs: 5 });
    expect(behaviour?.kind === "normal" && behaviour.tokens?.length).toBe(2000);
  });
});
