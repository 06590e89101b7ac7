"use client";

import { useMutation, useMutationState, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { applyAllowance, applyCreated, type ChannelCache } from "@/lib/client/cache/channel-cache";
import { foyerKeys } from "@/lib/client/cache/queries";
import {
  createClientMessageId,
  type OutboxEntry,
  type OutgoingMessage,
  type PendingMessage,
  toPendingMessages,
} from "@/lib/client/realtime/outbox";
import {
  emitOrThrow,
  type FoyerSocket,
  isRetryableAckError,
  RealtimeAckError,
  toRetryDelay,
  whenConnected,
} from "@/lib/client/realtime/socket";
import { parseChannel } from "@/lib/shared/realtime/channels";
import type { ChatMessage } from "@/lib/shared/realtime/events";

/** A refusal that passes by itself: a rate limit, or a node draining (the socket moves on). */
function isWaitedOut(error: unknown): boolean {
  return (
    error instanceof RealtimeAckError &&
    (error.code === "rate_limited:socket" ||
      error.code === "unavailable:node" ||
      error.code === "quota_exceeded:concurrent_generations")
  );
}

export interface UseSendMessageInput {
  socket: FoyerSocket | null;
  userId: string;
  agentId: string | null;
  /** The joined channel's name (from the join ack); sending waits for it. */
  channel: string | null;
  messages: readonly ChatMessage[];
}

export interface SendMessageControls {
  /** Sends `body` (trimmed); false when there is nothing to send or no channel yet. */
  send: (body: string) => boolean;
  /** Sends a failed message again with the same client message id (stored once). */
  resend: (message: PendingMessage) => void;
  /** Optimistic bubbles: sent but not yet acknowledged, or failed. */
  pending: PendingMessage[];
}

/**
 * Sends with an optimistic bubble that the acknowledged message replaces: the ack is merged
 * into the channel cache by id, and the bubble disappears once a message with its client
 * message id is cached (whichever of the ack and the push comes first).
 */
export function useSendMessage({
  socket,
  userId,
  agentId,
  channel,
  messages,
}: UseSendMessageInput): SendMessageControls {
  const queryClient = useQueryClient();
  const mutationKey = foyerKeys.send(userId, agentId ?? "");

  const { mutate } = useMutation({
    mutationKey,
    // One send at a time per conversation: messages are stored in the order they were
    // typed, and a send waiting out a rate limit holds the ones behind it instead of all of
    // them retrying at once.
    scope: { id: mutationKey.join(":") },
    mutationFn: async (outgoing: OutgoingMessage) => {
      if (!socket) throw new RealtimeAckError("timeout:ack", "send: no socket");
      // Typed while the connection was down: it waits for this identity's socket to come
      // back. An identity change tears that socket down and clears the queue (the mutation
      // cache), so it is never sent as anyone else.
      await whenConnected(socket);
      return emitOrThrow(socket, "message:send", outgoing);
    },
    onSuccess: ({ message, allowance }) => {
      const parsed = parseChannel(message.channel);
      if (parsed?.userId !== userId) return;
      queryClient.setQueryData<ChannelCache>(foyerKeys.channel(userId, parsed.agentId), (cache) =>
        applyAllowance(applyCreated(cache, message), allowance),
      );
    },
    onError: (error) => {
      // The agent's allowance is used up: the composer says so (and stops offering to send).
      if (!(error instanceof RealtimeAckError) || error.code !== "quota_exceeded:agent_messages")
        return;
      if (!agentId) return;
      queryClient.setQueryData<ChannelCache>(foyerKeys.channel(userId, agentId), (cache) =>
        cache?.allowance ? applyAllowance(cache, { ...cache.allowance, left: 0 }) : cache,
      );
    },
    // A rate limit is waited out as long as the server says (a few times); other retryable
    // failures are tried twice more, a second apart.
    retry: (count, error) => isRetryableAckError(error) && count < (isWaitedOut(error) ? 6 : 2),
    retryDelay: (_count, error) => toRetryDelay(error, 1_000),
  });

  const entries = useMutationState<OutboxEntry>({
    filters: { mutationKey },
    select: (mutation) => ({
      variables: mutation.state.variables as OutgoingMessage | undefined,
      status: mutation.state.status,
      submittedAt: mutation.state.submittedAt,
      // Over the send budget, or waiting for earlier answers to end: it goes out by itself.
      slowedDown:
        mutation.state.failureReason instanceof RealtimeAckError &&
        (mutation.state.failureReason.code === "rate_limited:socket" ||
          mutation.state.failureReason.code === "quota_exceeded:concurrent_generations"),
    }),
  });
  const pending = useMemo(() => toPendingMessages(entries, messages), [entries, messages]);

  const send = useCallback(
    (body: string) => {
      const text = body.trim();
      if (!text || !channel) return false;
      mutate({ channel, clientMessageId: createClientMessageId(), body: text });
      return true;
    },
    [channel, mutate],
  );

  const resend = useCallback(
    (message: PendingMessage) =>
      mutate({
        channel: message.channel,
        clientMessageId: message.clientMessageId,
        body: message.body,
      }),
    [mutate],
  );

  return { send, resend, pending };
}
