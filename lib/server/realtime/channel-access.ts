import { type DirectChannel, isParticipant, parseChannel } from "../../shared/realtime/channels";
import type { Agent, AgentRegistry } from "../agents/types";

/** A channel the socket's user may read and write. */
export interface OwnChannel {
  name: string;
  channel: DirectChannel;
  agent: Agent;
}

/**
 * The direct channel `name` when it is well-formed, names `userId` as its user (a user
 * is never admitted through the agent side of the name) and an agent this gateway offers.
 * Null for anything else, crafted and malformed names included: the caller answers every
 * null with the same denial.
 */
export function getOwnChannel(
  agents: AgentRegistry,
  userId: string,
  name: unknown,
): OwnChannel | null {
  const channel = parseChannel(name);
  if (!channel || channel.userId !== userId || !isParticipant(name, userId)) return null;
  const agent = agents.get(channel.agentId);
  return agent ? { name: name as string, channel, agent } : null;
}
