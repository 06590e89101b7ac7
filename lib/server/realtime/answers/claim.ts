import type { AckError, Allowance, SocketData } from "../../../shared/realtime/events";
import type { Agent } from "../../agents/types";
import { claimGeneration } from "../../store/generations";
import type { GatewayContext } from "../context";
import { toUtcDayStart } from "../daily-caps";
import { fail } from "../handler-kit";
import { toAgentLimits, toAllowance, toAllowanceRefusal } from "./allowance";

function toRefusal(
  reason: "running" | "allowance" | "not_last" | "busy",
  agent: Agent,
  allowance: Allowance | null,
): AckError {
  switch (reason) {
    case "running":
      return fail("quota_exceeded:concurrent_generations", RUNNING_REFUSAL);
    case "allowance":
      return fail("quota_exceeded:agent_messages", toAllowanceRefusal(agent, allowance));
    case "not_last":
      return fail("conflict:generation", "Only the last answer can be written again.");
    case "busy":
      return fail("conflict:generation", "An answer is being written. Wait for it, or stop it.");
  }
}

export type AnswerClaim =
  | { ok: true; allowance: Allowance | null }
  | { ok: false; error: AckError; allowance: Allowance | null };

const RUNNING_REFUSAL =
  "Several answers are being written for you already. Wait for one to finish, or stop it.";

/**
 * Claims answer `id` (to `replyTo`, in `channel`) for the socket's identity, before anything
 * is stored or asked of the upstream: refused over the concurrency cap or the agent's
 * allowance, with the words the person sees.
 */
export async function claimAnswer(
  ctx: Pick<GatewayContext, "db" | "nodeId" | "maxRunningAnswers">,
  data: Pick<SocketData, "userId" | "kind" | "addressKey">,
  target: {
    id: string;
    channel: string;
    agent: Agent;
    replyTo: string;
    /** A regeneration of this answer (the channel's last message, none being written). */
    regenerates?: string;
  },
  now = new Date(),
): Promise<AnswerClaim> {
  const limits = toAgentLimits(target.agent, data.kind);
  const result = await claimGeneration(ctx.db, {
    id: target.id,
    channel: target.channel,
    userId: data.userId,
    userKind: data.kind,
    addressKey: data.addressKey ?? null,
    agentId: target.agent.id,
    replyTo: target.replyTo,
    nodeId: ctx.nodeId,
    since: toUtcDayStart(now),
    maxRunning: ctx.maxRunningAnswers,
    userLimit: limits.userLimit,
    addressLimit: limits.addressLimit,
    regenerates: target.regenerates ? { answerId: target.regenerates } : undefined,
  });
  const allowance = toAllowance(target.agent, data.kind, result.used);
  if (result.claimed) return { ok: true, allowance };
  return { ok: false, error: toRefusal(result.reason, target.agent, allowance), allowance };
}
