import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Allowance } from "@/lib/shared/realtime/events";
import { type AllowanceNotice, Composer, toAllowanceNotice, toCanSend } from "./composer";

function allowance(overrides: Partial<Allowance>): Allowance {
  return {
    agentId: "assistant",
    kind: "guest",
    limit: 20,
    left: 20,
    memberLimit: 200,
    ...overrides,
  };
}

const guest = (left: number, more: Partial<Allowance> = {}) =>
  allowance({ kind: "guest", left, ...more });
const member = (left: number, more: Partial<Allowance> = {}) =>
  allowance({ kind: "member", limit: 200, left, memberLimit: null, ...more });

/** The whole sentence as it reads, link included. */
const sentence = (notice: AllowanceNotice | null) =>
  notice ? `${notice.text}${notice.signUp ? notice.signUp.label + notice.signUp.after : ""}` : null;

describe("toAllowanceNotice", () => {
  it.each([
    ["nothing known", null, null],
    ["a guest with plenty left", guest(6), null],
    ["a guest low", guest(3), "3 messages left today — sign up for 200"],
    ["a guest with one left", guest(1), "1 message left today — sign up for 200"],
    [
      "a guest at 20% of a larger limit",
      guest(8, { limit: 40 }),
      "8 messages left today — sign up for 200",
    ],
    ["a guest just above it", guest(9, { limit: 40 }), null],
    [
      "a guest low, no member allowance known",
      guest(2, { memberLimit: null }),
      "2 messages left today — sign up for more",
    ],
    ["a member with plenty left", member(41), null],
    ["a member at 20%", member(40), "40 messages left today with Assistant"],
    ["a member low", member(3), "3 messages left today with Assistant"],
    [
      "a guest used up",
      guest(0),
      "You've used today's 20 messages with Assistant. Sign up to get 200 a day.",
    ],
    [
      "a member used up",
      member(0),
      "You've used today's 200 messages with Assistant. It resets at midnight UTC.",
    ],
  ] as const)("%s", (_name, given, expected) => {
    expect(sentence(toAllowanceNotice(given, "Assistant"))).toBe(expected);
  });

  it("links a guest to sign up, and a member nowhere", () => {
    expect(toAllowanceNotice(guest(3), "Assistant")?.signUp?.label).toBe("sign up for 200");
    expect(toAllowanceNotice(guest(0), "Assistant")?.signUp?.label).toBe("Sign up");
    expect(toAllowanceNotice(member(3), "Assistant")?.signUp).toBeNull();
    expect(toAllowanceNotice(member(0), "Assistant")?.signUp).toBeNull();
  });

  it("says low, or out when nothing is left", () => {
    expect(toAllowanceNotice(guest(3), "A")?.level).toBe("low");
    expect(toAllowanceNotice(guest(0), "A")?.level).toBe("out");
    expect(toAllowanceNotice(member(0), "A")?.level).toBe("out");
  });
});

describe("toCanSend", () => {
  const out = toAllowanceNotice(guest(0), "A");
  const low = toAllowanceNotice(guest(1), "A");
  it.each([
    ["text, nothing in the way", "hi", null, null, true],
    ["text, the allowance low", "hi", null, low, true],
    ["text, the allowance used up", "hi", null, out, false],
    ["only spaces", "   ", null, null, false],
    ["text, sending not possible", "hi", "Waiting for the connection…", null, false],
  ] as const)("%s", (_name, text, reason, notice, expected) => {
    expect(toCanSend(text, reason, notice)).toBe(expected);
  });
});

describe("Composer", () => {
  const base = {
    agentName: "Assistant",
    disabledReason: null,
    focusKey: "assistant",
    onSend: () => true,
  };

  it("shows no notice while plenty is left", () => {
    const html = renderToStaticMarkup(<Composer {...base} allowance={guest(15)} />);
    expect(html).not.toContain("allowance-notice");
  });

  it("tells a guest running low how many are left, with a link to sign up", () => {
    const html = renderToStaticMarkup(<Composer {...base} allowance={guest(3)} />);
    expect(html).toMatch(
      /<p id="([^"]+)" role="status"[^>]*data-testid="allowance-notice" data-level="low">3 messages left today — <a[^>]*href="\/sign-up"[^>]*>sign up for 200<\/a><\/p>/,
    );
    // The input is described by the notice, and sending stays possible.
    const id = /<p id="([^"]+)"[^>]*data-testid="allowance-notice"/.exec(html)?.[1];
    expect(html).toMatch(new RegExp(`<textarea[^>]*aria-describedby="${id} `));
    expect(html).not.toMatch(/data-testid="composer-send"[^>]*aria-describedby/);
  });

  it("says a used-up allowance plainly and ties the send button to it", () => {
    const html = renderToStaticMarkup(<Composer {...base} allowance={member(0)} />);
    expect(html).toContain(
      "You&#x27;ve used today&#x27;s 200 messages with Assistant. It resets at midnight UTC.",
    );
    const id = /<p id="([^"]+)"[^>]*data-testid="allowance-notice" data-level="out"/.exec(
      html,
    )?.[1];
    expect(id).toBeTruthy();
    expect(html).toMatch(
      new RegExp(
        `<button[^>]*data-testid="composer-send"[^>]*disabled=""[^>]*aria-describedby="${id}"`,
      ),
    );
  });
});
