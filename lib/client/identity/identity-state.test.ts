import { describe, expect, it } from "vitest";
import { toIdentityNotice } from "./identity-state";

const guest = (userId: string) =>
  ({ userId, kind: "guest", socketToken: "t", expiresAt: "2999-01-01T00:00:00.000Z" }) as const;
const member = (userId: string) => ({ ...guest(userId), kind: "member" }) as const;

describe("toIdentityNotice", () => {
  it("says nothing for the same user or a first identity", () => {
    expect(toIdentityNotice(null, guest("a"), null)).toBeNull();
    expect(toIdentityNotice(guest("a"), guest("a"), null)).toBeNull();
  });

  it("tells a sign-in, a sign-out and a revocation from elsewhere apart", () => {
    expect(toIdentityNotice(guest("a"), member("m"), null)).toBe("signed_in_elsewhere");
    expect(toIdentityNotice(member("m"), guest("g"), null)).toBe("signed_out_elsewhere");
    expect(toIdentityNotice(member("m"), guest("g"), "session_revoked")).toBe("session_revoked");
    expect(toIdentityNotice(guest("a"), guest("b"), null)).toBe("identity_changed");
  });
});
