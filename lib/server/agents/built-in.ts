import { createConcierge } from "./concierge";
import { createAgentRegistry } from "./registry";
import { createStoryteller } from "./storyteller";
import type { AgentRegistry } from "./types";

export interface BuiltInAgentsOptions {
  /** Pause between the Storyteller's streamed pieces (default `STORYTELLER_DELAY_IN_MS`). */
  storytellerDelayInMs?: number;
  /** Clock for the Concierge. */
  now?: () => Date;
}

/** The bots Foyer ships with; none needs the network. */
export function createBuiltInAgents(options: BuiltInAgentsOptions = {}): AgentRegistry {
  return createAgentRegistry([
    createConcierge({ now: options.now }),
    createStoryteller({ delayInMs: options.storytellerDelayInMs }),
  ]);
}
