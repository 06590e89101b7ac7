import { describe, expect, it } from "vitest";
import { isStorableText } from "./text";

describe("isStorableText", () => {
  it.each<[string, string, boolean]>([
    ["plain text", "hello", true],
    ["an empty string", "", true],
    ["emoji (a surrogate pair)", "hi 👋🏽", true],
    ["tabs and new lines", "a\tb\nc\r\n", true],
    ["a NUL", "a\u0000b", false],
    ["a lone high surrogate", "a\uD83Db", false],
    ["a lone high surrogate at the end", "a\uD83D", false],
    ["a lone low surrogate", "a\uDC4Bb", false],
    ["two high surrogates", "\uD83D\uD83D\uDC4B", false],
    ["a pair in the wrong order", "\uDC4B\uD83D", false],
  ])("%s → %s", (_name, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
  });
});
