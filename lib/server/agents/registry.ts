import { isId } from "../../shared/ids";
import type { AgentSummary } from "../../shared/realtime/events";
import type { Agent, AgentRegistry } from "./types";

/** The public part of an agent, as `agent:list` returns it (`suggestions` default to none). */
export function toAgentSummary(agent: Agent): AgentSummary {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    streams: agent.streams,
    suggestions: [...(agent.suggestions ?? [])],
  };
}

/**
 * A registry over `agents`. Throws on an id that could not appear in a channel name
 * (see `ID_PATTERN`) or on a duplicate id, so a bad configuration fails at start.
 */
export function createAgentRegistry(agents: readonly Agent[]): AgentRegistry {
  const byId = new Map<string, Agent>();
  for (const agent of agents) {
    if (!isId(agent.id)) {
      throw new Error(`agents: id ${JSON.stringify(agent.id)} must match [A-Za-z0-9_]{1,64}`);
    }
    if (byId.has(agent.id)) throw new Error(`agents: duplicate agent id ${agent.id}`);
    byId.set(agent.id, agent);
  }
  const summaries = [...byId.values()].map(toAgentSummary);
  return {
    list: () => summaries.map((s) => ({ ...s, suggestions: [...s.suggestions] })),
    get: (id) => (typeof id === "string" ? (byId.get(id) ?? null) : null),
  };
}
