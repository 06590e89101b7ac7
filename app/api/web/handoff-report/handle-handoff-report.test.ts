import { describe, expect, it } from "vitest";
import type { Identity } from "@/lib/shared/contracts/identity";
import { toErrorBody } from "@/lib/shared/errors";
import { CLIENT_ADDRESS_HEADER } from "@/lib/shared/names";
import { handleHandoffReport } from "./handle-handoff-report";
import {
  createHandoffReportGate,
  HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS,
  HANDOFF_REPORTS_PER_MINUTE_PER_IDENTITY,
  type HandoffReportGateLimits,
  readHandoffReportGateLimits,
} from "./handoff-report-gate";

const ORIGIN = "http://app.test";
const ME: Identity = { userId: "usr_me", kind: "guest", sessionId: "ses_me" };

class NoSession extends Error {}

function setUp(
  options: { identity?: Identity | null; limits?: Partial<HandoffReportGateLimits> } = {},
) {
  const logged: { event: string; fields: Record<string, unknown> }[] = [];
  const gate = createHandoffReportGate({
    perAddressPerMinute: 100,
    perIdentityPerMinute: 100,
    dedupeWindowInSeconds: 600,
    ...options.limits,
  });
  const identity = options.identity === undefined ? ME : options.identity;
  const report = (body: unknown, headers: Record<string, string> = {}) =>
    handleHandoffReport(
      new Request(`${ORIGIN}/api/web/handoff-report`, {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: {
          host: "app.test",
          origin: ORIGIN,
          "content-type": "application/json",
          [CLIENT_ADDRESS_HEADER]: "203.0.113.7",
          ...headers,
        },
      }),
      {
        requireIdentity: async () => {
          if (!identity) throw new NoSession();
          return identity;
        },
        toIdentityErrorResponse: (error) => {
          if (!(error instanceof NoSession)) throw error;
          return Response.json(toErrorBody("unauthorized:session", "no session"), { status: 401 });
        },
        gate,
        log: (event, fields) => logged.push({ event, fields }),
        publicOrigins: [ORIGIN],
      },
    );
  const mismatches = () => logged.filter((l) => l.event === "identity.handoff_mismatch");
  return { report, logged, mismatches };
}

const code = async (res: Response) =>
  ((await res.json()) as { error: { code: string } }).error.code;

describe("POST /api/web/handoff-report", () => {
  it("logs a report about the reporter's own identity, with or without naming it", async () => {
    const { report, mismatches } = setUp();
    expect((await report({ step: "sign_in", outcome: "mismatch" })).status).toBe(204);
    expect((await report({ step: "sign_up", outcome: "error", userId: "usr_me" })).status).toBe(
      204,
    );
    expect(mismatches().map((l) => l.fields)).toEqual([
      expect.objectContaining({ step: "sign_in", outcome: "mismatch", serverUserId: "usr_me" }),
      expect.objectContaining({ step: "sign_up", outcome: "error", serverUserId: "usr_me" }),
    ]);
  });

  it("refuses, and does not log, a report about another identity", async () => {
    const { report, logged } = setUp();
    const res = await report({ step: "sign_in", outcome: "mismatch", userId: "usr_victim" });
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("forbidden:identity");
    expect(logged).toEqual([]);
  });

  it("refuses, and does not log, a report from a request without an identity", async () => {
    const { report, logged } = setUp({ identity: null });
    const res = await report({ step: "guest_created", outcome: "mismatch" });
    expect(res.status).toBe(401);
    expect(await code(res)).toBe("unauthorized:session");
    expect(logged).toEqual([]);
  });

  it("refuses cross-site and malformed reports before anything is logged", async () => {
    const { report, logged } = setUp();
    const crossSite = await report(
      { step: "sign_in", outcome: "mismatch" },
      { origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
    expect(await code(crossSite)).toBe("forbidden:origin");
    for (const body of [
      "{",
      { step: "sign_in" },
      { step: "sign_in", outcome: "mismatch", extra: 1 },
      { step: "sign_in", outcome: "mismatch", userId: "usr-with-dash" },
      { step: "sign_in", outcome: "mismatch", pad: "x".repeat(2_000) },
    ]) {
      expect((await report(body)).status).toBeGreaterThanOrEqual(400);
    }
    expect(logged).toEqual([]);
  });

  it("logs the same report from the same identity once per window", async () => {
    const { report, mismatches } = setUp();
    const statuses = [];
    for (let i = 0; i < 20; i++) {
      statuses.push((await report({ step: "sign_out", outcome: "mismatch" })).status);
    }
    expect(new Set(statuses)).toEqual(new Set([204]));
    expect(mismatches()).toHaveLength(1);
    // Another step is another report.
    await report({ step: "guest_revoked", outcome: "mismatch" });
    expect(mismatches()).toHaveLength(2);
  });

  it("limits reports per identity: 429 with Retry-After, not logged", async () => {
    const { report, mismatches } = setUp({ limits: { perIdentityPerMinute: 3 } });
    const steps = ["guest_created", "sign_in", "sign_up", "sign_out", "guest_revoked"] as const;
    const statuses = [];
    for (const step of steps) statuses.push((await report({ step, outcome: "error" })).status);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    const limited = await report({ step: "sign_in", outcome: "mismatch" });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await code(limited)).toBe("rate_limited:handoff_report");
    expect(mismatches()).toHaveLength(3);
  });

  it("limits reports per client address before it looks at anything else", async () => {
    const { report, logged } = setUp({ identity: null, limits: { perAddressPerMinute: 4 } });
    const statuses = [];
    for (let i = 0; i < 50; i++) statuses.push((await report("not even JSON")).status);
    expect(statuses.slice(0, 4)).toEqual([400, 400, 400, 400]);
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true);
    const other = await report("{", { [CLIENT_ADDRESS_HEADER]: "198.51.100.9" });
    expect(other.status).toBe(400);
    expect(logged).toEqual([]);
  });
});

describe("readHandoffReportGateLimits", () => {
  it("reads both budgets from the environment, defaults otherwise", () => {
    expect(readHandoffReportGateLimits({})).toMatchObject({
      perAddressPerMinute: HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS,
      perIdentityPerMinute: HANDOFF_REPORTS_PER_MINUTE_PER_IDENTITY,
    });
    expect(
      readHandoffReportGateLimits({
        FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS: "7",
        FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_IDENTITY: "3",
      }),
    ).toMatchObject({ perAddressPerMinute: 7, perIdentityPerMinute: 3 });
    expect(() =>
      readHandoffReportGateLimits({ FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS: "0" }),
    ).toThrow(/FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS/);
  });
});
