import { describe, expect, it } from "vitest";
import { signInRequestSchema, signUpRequestSchema } from "./auth";

describe("signUpRequestSchema", () => {
  it.each<[string, string, boolean]>([
    ["a long plain password", "correct horse battery", true],
    ["an emoji in it", "correct horse 🐎 battery", true],
    ["a NUL in it", "correct horse\u0000battery", false],
    ["a lone surrogate in it", "correct horse \uD83D battery", false],
  ])("%s → accepted: %s", (_name, password, accepted) => {
    const parsed = signUpRequestSchema.safeParse({ email: "a@example.com", password });
    expect(parsed.success).toBe(accepted);
  });

  it("trims the email but never the password", () => {
    const parsed = signUpRequestSchema.parse({
      email: "  a@example.com ",
      password: " spaced password ",
    });
    expect(parsed).toEqual({ email: "a@example.com", password: " spaced password " });
  });
});

describe("signInRequestSchema", () => {
  it("refuses unknown keys (a forged guest id is never read)", () => {
    const parsed = signInRequestSchema.safeParse({
      email: "a@example.com",
      password: "x",
      guestId: "usr_forged",
    });
    expect(parsed.success).toBe(false);
  });
});
