"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import {
  applyCreated,
  applyDelta,
  applySnapshot,
  type ChannelCache,
  fitsDelta,
} from "@/lib/client/cache/channel-cache";
import { getMaxSeq } from "@/lib/client/cache/messages";
import { foyerKeys } from "@/lib/client/cache/queries";
import { emitOrThrow, type FoyerSocket } from "@/lib/client/realtime/socket";
import { parseChannel } from "@/lib/shared/realtime/channels";
import type { ChatMessage, MessageDelta } from "@/lib/shared/realtime/events";

/**
 * Merges `message:created` and `message:delta` pushes into the cache of the channel they
 * name, by id. Deltas are append-only: one that starts beyond the text held means a push was
 * missed, and the tab asks for the answer's text so far (`generation:snapshot`). Pushes for a channel that is not this user's are dropped. A closed channel
 * is updated only when its history is cached (otherwise the next join fetches it whole).
 * (Unread counts and latest lines live in the agent list: see `useAgents`.)
 */
export function useMessagePushes(
  socket: FoyerSocket | null,
  userId: string,
  openAgentId: string | null,
): void {
  const queryClient = useQueryClient();
  const openRef = useRef(openAgentId);
  openRef.current = openAgentId;

  useEffect(() => {
    if (!socket) return;
    const toAgentId = (channel: string): string | null => {
      const parsed = parseChannel(channel);
      return parsed?.userId === userId ? parsed.agentId : null;
    };
    const update = (agentId: string, apply: (cache: ChannelCache | undefined) => ChannelCache) => {
      const key = foyerKeys.channel(userId, agentId);
      if (agentId !== openRef.current && queryClient.getQueryData(key) === undefined) return;
      queryClient.setQueryData<ChannelCache>(key, apply);
    };
    const onCreated = (message: ChatMessage) => {
      const agentId = toAgentId(message.channel);
      if (!agentId) return;
      const key = foyerKeys.channel(userId, agentId);
      const cache = queryClient.getQueryData<ChannelCache>(key);
      update(agentId, (current) => applyCreated(current, message));
      // A push beyond the next seq means something in between never reached this socket
      // (a relay lost while the bus was down): fetch the gap from the store.
      if (cache && message.seq > getMaxSeq(cache.messages, cache.syncedSeq) + 1) {
        void queryClient.invalidateQueries({ queryKey: key });
      }
    };
    // Which channel an answer belongs to: only its first push says, so later ones are
    // routed by id (from that push, a snapshot, or a draft a join put in the cache).
    const routes = new Map<string, string>();
    // Answers of channels this tab does not hold: their pushes are dropped without asking.
    const elsewhere = new Set<string>();
    const findAgentOf = (messageId: string): string | null => {
      const known = routes.get(messageId);
      if (known) return known;
      const cached = queryClient.getQueriesData<ChannelCache>({
        queryKey: [...foyerKeys.user(userId), "channel"],
      });
      for (const [key, cache] of cached) {
        if (!cache?.streaming.some((d) => d.messageId === messageId)) continue;
        const agentId = key.at(-1);
        if (typeof agentId === "string") return agentId;
      }
      return null;
    };
    const isHeld = (agentId: string) =>
      agentId === openRef.current ||
      queryClient.getQueryData(foyerKeys.channel(userId, agentId)) !== undefined;
    // Answers whose snapshot was asked for and not yet answered (one ask at a time each).
    const asking = new Set<string>();
    const askSnapshot = (messageId: string) => {
      if (asking.has(messageId)) return;
      asking.add(messageId);
      emitOrThrow(socket, "generation:snapshot", { messageId })
        .then(({ generation }) => {
          const agentId = generation ? toAgentId(generation.channel) : findAgentOf(messageId);
          if (!agentId) return;
          routes.set(messageId, agentId);
          if (!isHeld(agentId)) return void elsewhere.add(messageId);
          if (generation) update(agentId, (cache) => applySnapshot(cache, generation));
          // It ended meanwhile and its message did not reach this tab: sync the channel.
          else void queryClient.invalidateQueries({ queryKey: foyerKeys.channel(userId, agentId) });
        })
        .catch(() => {})
        .finally(() => asking.delete(messageId));
    };
    const onDelta = (delta: MessageDelta) => {
      if (elsewhere.has(delta.messageId)) {
        // Its channel opened since: a join listed it, and the pushes continue from there.
        const route = routes.get(delta.messageId);
        if (!route || !isHeld(route)) return;
        elsewhere.delete(delta.messageId);
      }
      const agentId = delta.channel ? toAgentId(delta.channel) : findAgentOf(delta.messageId);
      if (delta.channel && !agentId) return;
      if (agentId) routes.set(delta.messageId, agentId);
      if (agentId && !isHeld(agentId)) return void elsewhere.add(delta.messageId);
      const cache = agentId
        ? queryClient.getQueryData<ChannelCache>(foyerKeys.channel(userId, agentId))
        : undefined;
      // A push that starts beyond what this tab holds means one was missed: ask where it is.
      if (!agentId || !fitsDelta(cache, delta)) return askSnapshot(delta.messageId);
      update(agentId, (current) => applyDelta(current, delta));
    };
    const onCreatedAnswer = (message: ChatMessage) => {
      routes.delete(message.id);
      elsewhere.delete(message.id);
    };
    // The node lost relays (e.g. Redis restarted): every cached channel re-syncs by seq.
    const onSyncRequired = () =>
      void queryClient.invalidateQueries({ queryKey: [...foyerKeys.user(userId), "channel"] });
    socket.on("message:created", onCreated);
    socket.on("message:created", onCreatedAnswer);
    socket.on("message:delta", onDelta);
    socket.on("sync:required", onSyncRequired);
    return () => {
      socket.off("message:created", onCreated);
      socket.off("message:created", onCreatedAnswer);
      socket.off("message:delta", onDelta);
      socket.off("sync:required", onSyncRequired);
    };
  }, [socket, userId, queryClient]);
}
