import { createConcierge } from "./concierge";
import { createAgentRegistry } from "./registry";
import { createStoryteller } from "./storyteller";
import type { Agent, AgentRegistry } from "./types";

/** How to build the built-in bots. */
export interface BuiltInAgentsOptions {
  /** Pause between the Storyteller's streamed pieces (default `STORYTELLER_DELAY_IN_MS`). */
  storytellerDelayInMs?: number;
  /** Clock for the Concierge. */
  now?: () => Date;
}

/** The names a `built-in` entry of the agents file may use, in the order Foyer lists them. */
export const BUILT_IN_AGENT_NAMES = ["concierge", "storyteller"] as const;

/** One of `BUILT_IN_AGENT_NAMES`. */
export type BuiltInAgentName = (typeof BUILT_IN_AGENT_NAMES)[number];

/** The built-in bot called `name`; none needs the network. */
export function createBuiltInAgent(
  name: BuiltInAgentName,
  options: BuiltInAgentsOptions = {},
): Agent {
  switch (name) {
    case "concierge":
      return createConcierge({ now: options.now });
    case "storyteller":
      return createStoryteller({ delayInMs: options.storytellerDelayInMs });
  }
}

/** The bots Foyer ships with, the agents it offers when no agents file is found. */
export function createBuiltInAgents(options: BuiltInAgentsOptions = {}): AgentRegistry {
  return createAgentRegistry(BUILT_IN_AGENT_NAMES.map((name) => createBuiltInAgent(name, options)));
}
