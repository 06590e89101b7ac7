import { RateLimiterMemory } from "rate-limiter-flexible";
import { toAddressKey } from "@/lib/server/common/address-keys";
import { type EnvVars, readPositiveNumber } from "@/lib/server/common/env";
import { consumeFrom, type LimitDecision } from "@/lib/server/common/limit-decision";
import type { HandoffReport } from "./schema";

/**
 * What keeps the handoff report from being a log-line generator (issue 13): reports are
 * limited per client address (before anything else is looked at) and per identity, and the
 * same report from the same identity is logged once per window. Counted in this process's
 * memory: a report is a log line of this node, so its budget is this node's too.
 */

/** Reports one client address may send per minute, whoever it is. */
export const HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS = 20;
/** Reports one identity may send per minute (a tab reports each failed handoff once). */
export const HANDOFF_REPORTS_PER_MINUTE_PER_IDENTITY = 5;
/** The same report from the same identity within this window is logged once. */
export const HANDOFF_REPORT_DEDUPE_WINDOW_IN_SECONDS = 10 * 60;

export type GateDecision = LimitDecision;

export interface HandoffReportGate {
  /** Spends one report of the client address's budget. */
  admitAddress(clientAddress: string): Promise<GateDecision>;
  /** Spends one report of the identity's budget. */
  admitIdentity(userId: string): Promise<GateDecision>;
  /** True the first time this identity sends this report within the window. */
  isFirst(userId: string, report: HandoffReport): Promise<boolean>;
}

export interface HandoffReportGateLimits {
  perAddressPerMinute: number;
  perIdentityPerMinute: number;
  dedupeWindowInSeconds: number;
}

/**
 * The gate's limits from `FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS` and
 * `FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_IDENTITY`; the defaults above when unset.
 */
export function readHandoffReportGateLimits(env: EnvVars = process.env): HandoffReportGateLimits {
  return {
    perAddressPerMinute: readPositiveNumber(
      env,
      "FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS",
      HANDOFF_REPORTS_PER_MINUTE_PER_ADDRESS,
    ),
    perIdentityPerMinute: readPositiveNumber(
      env,
      "FOYER_HANDOFF_REPORTS_PER_MINUTE_PER_IDENTITY",
      HANDOFF_REPORTS_PER_MINUTE_PER_IDENTITY,
    ),
    dedupeWindowInSeconds: HANDOFF_REPORT_DEDUPE_WINDOW_IN_SECONDS,
  };
}

export function createHandoffReportGate(
  limits: HandoffReportGateLimits = readHandoffReportGateLimits({}),
): HandoffReportGate {
  const byAddress = new RateLimiterMemory({ points: limits.perAddressPerMinute, duration: 60 });
  const byIdentity = new RateLimiterMemory({ points: limits.perIdentityPerMinute, duration: 60 });
  const seen = new RateLimiterMemory({ points: 1, duration: limits.dedupeWindowInSeconds });
  return {
    admitAddress: (clientAddress) => consumeFrom(byAddress, toAddressKey(clientAddress)),
    admitIdentity: (userId) => consumeFrom(byIdentity, userId),
    async isFirst(userId, report) {
      const key = `${userId}|${report.step}|${report.outcome}`;
      return (await consumeFrom(seen, key)).allowed;
    },
  };
}

// Next may bundle this module more than once; one gate per process.
const REGISTRY_KEY = Symbol.for("foyer.handoff-report-gate");

/** The process-wide gate, created on first use. */
export function getHandoffReportGate(): HandoffReportGate {
  const scope = globalThis as typeof globalThis & { [REGISTRY_KEY]?: HandoffReportGate };
  scope[REGISTRY_KEY] ??= createHandoffReportGate(readHandoffReportGateLimits());
  return scope[REGISTRY_KEY];
}
