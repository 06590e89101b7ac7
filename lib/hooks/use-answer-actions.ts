"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { toast } from "sonner";
import { applyAllowance, type ChannelCache } from "@/lib/client/cache/channel-cache";
import { foyerKeys } from "@/lib/client/cache/queries";
import { emitOrThrow, type FoyerSocket, RealtimeAckError } from "@/lib/client/realtime/socket";

export interface AnswerActions {
  /** Stops an answer being written (any tab may; the final message follows as `stopped`). */
  stop(messageId: string): void;
  /** Writes the last answer again (Retry on a failed or interrupted one does the same). */
  regenerate(messageId: string): void;
}

function toReadable(error: unknown, fallback: string): string {
  return error instanceof RealtimeAckError && !error.code.startsWith("internal")
    ? error.message
    : fallback;
}

/** Stop and Regenerate for the open channel; a refusal is shown as a toast, in its words. */
export function useAnswerActions(
  socket: FoyerSocket | null,
  userId: string,
  agentId: string | null,
): AnswerActions {
  const queryClient = useQueryClient();
  const stop = useCallback(
    (messageId: string) => {
      if (!socket) return;
      emitOrThrow(socket, "generation:stop", { messageId }).catch((error: unknown) =>
        toast.error(toReadable(error, "Could not stop the answer. Try again.")),
      );
    },
    [socket],
  );
  const regenerate = useCallback(
    (messageId: string) => {
      if (!socket || !agentId) return;
      emitOrThrow(socket, "generation:regenerate", { messageId })
        .then(({ allowance }) =>
          queryClient.setQueryData<ChannelCache>(foyerKeys.channel(userId, agentId), (cache) =>
            applyAllowance(cache, allowance),
          ),
        )
        .catch((error: unknown) =>
          toast.error(toReadable(error, "Could not write the answer again. Try again.")),
        );
    },
    [socket, agentId, userId, queryClient],
  );
  return { stop, regenerate };
}
