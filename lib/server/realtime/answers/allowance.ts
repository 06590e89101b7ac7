import type { Allowance } from "../../../shared/realtime/events";
import type { Agent } from "../../agents/types";
import type { UsedToday } from "../../store/generations";

/** What one identity may ask of one agent today (Infinity: no limit of that kind). */
export interface AgentLimitsFor {
  userLimit: number;
  addressLimit: number;
}

/**
 * The agent's limits for a guest or a member. A guest counts twice: as themselves, and with
 * every guest from their address (so minting guests does not reset it); a member only as
 * themselves. A member's count includes what they used as a guest before signing up.
 */
export function toAgentLimits(agent: Agent, kind: "guest" | "member"): AgentLimitsFor {
  const limits = agent.limits ?? {};
  if (kind === "member") {
    return { userLimit: limits.memberMessagesPerDay ?? Infinity, addressLimit: Infinity };
  }
  const perGuest = limits.guestMessagesPerDay ?? Infinity;
  return {
    userLimit: perGuest,
    addressLimit: limits.guestMessagesPerAddressPerDay ?? perGuest,
  };
}

/** What is left of the agent's allowance, or null when none applies to this identity. */
export function toAllowance(
  agent: Agent,
  kind: "guest" | "member",
  used: UsedToday,
): Allowance | null {
  const { userLimit, addressLimit } = toAgentLimits(agent, kind);
  if (userLimit === Infinity && addressLimit === Infinity) return null;
  const left = Math.max(0, Math.min(userLimit - used.user, addressLimit - used.address));
  return {
    agentId: agent.id,
    kind,
    limit: Math.min(userLimit, addressLimit),
    left,
    memberLimit: kind === "guest" ? (agent.limits?.memberMessagesPerDay ?? null) : null,
  };
}

/** The refusal text at zero, in the words the composer uses too. */
export function toAllowanceRefusal(agent: Agent, allowance: Allowance | null): string {
  const limit = allowance?.limit ?? 0;
  if (allowance?.kind === "guest" && allowance.memberLimit !== null) {
    return `You've used today's ${limit} messages with ${agent.name}. Sign up to get ${allowance.memberLimit} a day.`;
  }
  return `You've used today's ${limit} messages with ${agent.name}. They reset at midnight UTC.`;
}
