"use client";

import { useEffect } from "react";
import { getMaxSeq } from "@/lib/client/cache/messages";
import type { AgentListing, ChatMessage } from "@/lib/shared/realtime/events";

/**
 * While the open channel is on screen (connected, tab visible), everything it shows is read:
 * the read seq moves up to its newest message, which every tab of the user then shows.
 */
export function useMarkRead(input: {
  agent: AgentListing | null;
  messages: readonly ChatMessage[];
  active: boolean;
  markRead: (agentId: string, seq: number) => void;
}): void {
  const { agent, messages, active, markRead } = input;
  const newest = getMaxSeq(messages);
  const agentId = agent?.id ?? null;
  const readSeq = agent?.readSeq ?? 0;
  useEffect(() => {
    if (active && agentId !== null && newest > readSeq) markRead(agentId, newest);
  }, [active, agentId, newest, readSeq, markRead]);
}
