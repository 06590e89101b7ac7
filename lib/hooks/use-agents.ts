"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { applyMessage, applyReadState, applyStar, toDisplayOrder } from "@/lib/client/cache/agents";
import { agentsQueryOptions, foyerKeys } from "@/lib/client/cache/queries";
import { emitOrThrow, emitWithAck, type FoyerSocket } from "@/lib/client/realtime/socket";
import { parseChannel } from "@/lib/shared/realtime/channels";
import type {
  AgentListing,
  ChannelReadState,
  ChatMessage,
  StarState,
} from "@/lib/shared/realtime/events";

/**
 * The agents this user can talk to, starred first, each with its unread count and latest
 * line for every direct channel of the user, not only the open one. Kept live by pushes that
 * reach every tab of the user: `message:created` (latest line, unread), `channel:updated`
 * (read in some tab), `star:updated`. `isBeingRead(agentId)` says whether this tab shows that
 * channel right now (its new agent messages are then not counted as unread).
 */
export function useAgents(
  socket: FoyerSocket | null,
  userId: string,
  connected: boolean,
  isBeingRead: (agentId: string) => boolean,
) {
  const queryClient = useQueryClient();
  const key = foyerKeys.agents(userId);
  const query = useQuery(agentsQueryOptions(socket, userId, connected));
  const reading = useRef(isBeingRead);
  reading.current = isBeingRead;

  // Pushes missed while the connection was down (or relays lost while the bus was): the
  // unread counts and latest lines are read again whenever the connection comes back.
  const wasConnected = useRef(connected);
  useEffect(() => {
    if (connected && !wasConnected.current) {
      void queryClient.invalidateQueries({ queryKey: foyerKeys.agents(userId) });
    }
    wasConnected.current = connected;
  }, [connected, userId, queryClient]);

  useEffect(() => {
    if (!socket) return;
    const set = (change: (list: AgentListing[] | undefined) => AgentListing[] | undefined) =>
      queryClient.setQueryData<AgentListing[]>(foyerKeys.agents(userId), change);
    const onStar = (state: StarState) => set((list) => applyStar(list, state));
    const onRead = (state: ChannelReadState) => set((list) => applyReadState(list, state));
    const onMessage = (message: ChatMessage) => {
      const channel = parseChannel(message.channel);
      if (channel?.userId !== userId) return;
      set((list) => applyMessage(list, channel.agentId, message, reading.current(channel.agentId)));
    };
    const onSyncRequired = () =>
      void queryClient.invalidateQueries({ queryKey: foyerKeys.agents(userId) });
    socket.on("star:updated", onStar);
    socket.on("channel:updated", onRead);
    socket.on("message:created", onMessage);
    socket.on("sync:required", onSyncRequired);
    return () => {
      socket.off("star:updated", onStar);
      socket.off("channel:updated", onRead);
      socket.off("message:created", onMessage);
      socket.off("sync:required", onSyncRequired);
    };
  }, [socket, userId, queryClient]);

  const star = useMutation({
    mutationFn: async (state: StarState) => {
      if (!socket) throw new Error("agents: no socket");
      return emitOrThrow(socket, "star:set", state);
    },
    onMutate: (state) => {
      const previous = queryClient.getQueryData<AgentListing[]>(key);
      queryClient.setQueryData<AgentListing[]>(key, (list) => applyStar(list, state));
      return { previous: previous?.find((a) => a.id === state.agentId)?.starred };
    },
    onError: (_error, state, context) => {
      if (context?.previous === undefined) return;
      queryClient.setQueryData<AgentListing[]>(key, (list) =>
        applyStar(list, { agentId: state.agentId, starred: context.previous as boolean }),
      );
    },
  });

  /** Everything through `seq` in the channel with `agentId` has been seen (all tabs follow). */
  const markRead = useCallback(
    (agentId: string, seq: number) => {
      if (!socket) return;
      queryClient.setQueryData<AgentListing[]>(foyerKeys.agents(userId), (list) =>
        applyReadState(list, { agentId, readSeq: seq, unread: 0 }),
      );
      void emitWithAck(socket, "channel:read", { agentId, seq });
    },
    [socket, userId, queryClient],
  );

  const agents = useMemo(() => toDisplayOrder(query.data ?? []), [query.data]);
  return {
    agents,
    status: query.status,
    refetch: query.refetch,
    toggleStar: (agentId: string, starred: boolean) => star.mutate({ agentId, starred }),
    markRead,
  };
}
