import { describe, expect, it, vi } from "vitest";
import type { GuestSessionResult } from "./guest-session-client";
import { toHandoffResult, verifyHandoff } from "./handoff";

const session = (userId: string): GuestSessionResult => ({
  kind: "session",
  session: { userId, kind: "member", socketToken: "t", expiresAt: "2999-01-01T00:00:00.000Z" },
});

describe("toHandoffResult", () => {
  it("verifies the expected user, and reports anyone else as a mismatch", () => {
    expect(toHandoffResult({ userId: "usr_m" }, session("usr_m"))).toMatchObject({
      kind: "verified",
    });
    expect(toHandoffResult({ userId: "usr_m" }, session("usr_g"))).toEqual({
      kind: "mismatch",
      actualUserId: "usr_g",
    });
    expect(toHandoffResult({ userId: "usr_m" }, { kind: "miss" })).toEqual({
      kind: "mismatch",
      actualUserId: null,
    });
  });

  it("verifies a sign-out when the cookies name anyone but the member, or nobody", () => {
    expect(toHandoffResult({ notUserId: "usr_m" }, { kind: "miss" })).toEqual({
      kind: "verified",
      session: null,
    });
    expect(toHandoffResult({ notUserId: "usr_m" }, session("usr_g"))).toMatchObject({
      kind: "verified",
    });
    expect(toHandoffResult({ notUserId: "usr_m" }, session("usr_m"))).toEqual({
      kind: "mismatch",
      actualUserId: "usr_m",
    });
  });

  it("keeps errors apart from mismatches", () => {
    const error = {
      kind: "error",
      code: "unavailable:authority",
      message: "m",
      status: 503,
    } as const;
    expect(toHandoffResult({ userId: "usr_m" }, error)).toEqual({
      kind: "error",
      code: "unavailable:authority",
      message: "m",
    });
  });
});

describe("verifyHandoff", () => {
  it("reports what did not verify, naming the step, and asks again after a stale answer", async () => {
    const report = vi.fn();
    const answers: GuestSessionResult[] = [{ kind: "stale" }, session("usr_g")];
    const lookup = vi.fn(async () => answers.shift() ?? { kind: "miss" as const });
    const result = await verifyHandoff("sign_in", { userId: "usr_m" }, { lookup, report });
    expect(result).toEqual({ kind: "mismatch", actualUserId: "usr_g" });
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(report).toHaveBeenCalledWith("sign_in", result);

    report.mockClear();
    const ok = await verifyHandoff(
      "sign_in",
      { userId: "usr_m" },
      {
        lookup: async () => session("usr_m"),
        report,
      },
    );
    expect(ok.kind).toBe("verified");
    expect(report).not.toHaveBeenCalled();
  });
});
