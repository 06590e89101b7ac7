"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { channelQueryOptions } from "@/lib/client/cache/queries";
import type { FoyerSocket } from "@/lib/client/realtime/socket";

export interface UseChannelInput {
  socket: FoyerSocket | null;
  userId: string;
  /** The open agent; null while none is chosen. */
  agentId: string | null;
  connected: boolean;
}

/**
 * The open direct channel in the query cache. Joining happens whenever the channel opens
 * and on every reconnection (the query is enabled only while connected, and always
 * stale), each time with `after = syncedSeq`, and the answer is merged by message id.
 * Pushes reach the same cache entry through `useMessagePushes`.
 */
export function useChannel({ socket, userId, agentId, connected }: UseChannelInput) {
  const queryClient = useQueryClient();
  return useQuery(
    channelQueryOptions({
      socket,
      queryClient,
      userId,
      agentId: agentId ?? "",
      connected: connected && agentId !== null,
    }),
  );
}
