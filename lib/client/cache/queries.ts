/**
 * Query keys and `queryOptions` factories. Every key starts with the user id, so one
 * identity's data can never be read under another's; an identity change also clears the
 * whole cache (see `useGuestSession`).
 */
import { type QueryClient, queryOptions } from "@tanstack/react-query";
import { parseChannel } from "../../shared/realtime/channels";
import type { ChatMessage } from "../../shared/realtime/events";
import {
  emitOrThrow,
  type FoyerSocket,
  isRetryableAckError,
  RealtimeAckError,
} from "../realtime/socket";
import { applySync, type ChannelCache } from "./channel-cache";
import { getMaxSeq } from "./messages";

/** Page size asked of `channel:history` while catching up after a join. */
export const HISTORY_PAGE_SIZE = 200;
/** Upper bound on catch-up pages per sync (a runaway guard, not a product limit). */
const MAX_HISTORY_PAGES = 50;

export const foyerKeys = {
  all: ["foyer"] as const,
  user: (userId: string) => ["foyer", userId] as const,
  agents: (userId: string) => ["foyer", userId, "agents"] as const,
  preferences: (userId: string) => ["foyer", userId, "preferences"] as const,
  channel: (userId: string, agentId: string) => ["foyer", userId, "channel", agentId] as const,
  send: (userId: string, agentId: string) => ["foyer", userId, "send", agentId] as const,
};

export function agentsQueryOptions(socket: FoyerSocket | null, userId: string, connected: boolean) {
  return queryOptions({
    queryKey: foyerKeys.agents(userId),
    queryFn: async () => {
      if (!socket) throw new RealtimeAckError("internal:server", "agents: no socket");
      return (await emitOrThrow(socket, "agent:list", {})).agents;
    },
    enabled: connected && socket !== null,
    staleTime: Number.POSITIVE_INFINITY,
    retry: (count, error) => count < 3 && isRetryableAckError(error),
  });
}

interface SyncInput {
  socket: FoyerSocket;
  queryClient: QueryClient;
  userId: string;
  agentId: string;
}

/**
 * Joins the direct channel with `after = syncedSeq` and reads on with `channel:history`
 * until the server has nothing more, then merges into the newest cached value (pushes
 * merged while this ran are kept). docs/design.md, client invariant 4: the channel name is used only
 * after checking it is this user's channel with this agent.
 */
export async function syncChannel({
  socket,
  queryClient,
  userId,
  agentId,
}: SyncInput): Promise<ChannelCache> {
  const key = foyerKeys.channel(userId, agentId);
  const after = queryClient.getQueryData<ChannelCache>(key)?.syncedSeq ?? 0;
  const joined = await emitOrThrow(socket, "channel:join", { agentId, after });
  const parsed = parseChannel(joined.channel);
  if (!parsed || parsed.userId !== userId || parsed.agentId !== agentId) {
    throw new RealtimeAckError(
      "forbidden:channel",
      "channel: the server answered with another user's channel",
    );
  }
  const received: ChatMessage[] = [...joined.messages];
  let cursor = getMaxSeq(joined.messages, after);
  let page = joined.messages;
  // The join may answer with one page only; an empty answer means we are caught up.
  for (let i = 0; page.length > 0 && i < MAX_HISTORY_PAGES; i++) {
    const history = await emitOrThrow(socket, "channel:history", {
      channel: joined.channel,
      after: cursor,
      limit: HISTORY_PAGE_SIZE,
    });
    page = history.messages.filter((m) => m.channel === joined.channel);
    received.push(...page);
    cursor = getMaxSeq(page, cursor);
    if (history.messages.length < HISTORY_PAGE_SIZE) break;
  }
  return applySync(queryClient.getQueryData<ChannelCache>(key), {
    channel: joined.channel,
    messages: received.filter((m) => m.channel === joined.channel),
    syncedSeq: cursor,
    // An older server sends none: the drafts stay as the pushes left them.
    generations: joined.generations?.filter((g) => g.channel === joined.channel),
    allowance: joined.allowance ?? null,
  });
}

/**
 * The open channel. Enabled only while connected with staleTime 0: every (re)connection
 * and every reopening re-syncs from `syncedSeq` and merges the gap.
 */
export function channelQueryOptions(
  input: Omit<SyncInput, "socket"> & { socket: FoyerSocket | null; connected: boolean },
) {
  const { socket, queryClient, userId, agentId, connected } = input;
  return queryOptions({
    queryKey: foyerKeys.channel(userId, agentId),
    queryFn: () => {
      if (!socket) throw new RealtimeAckError("internal:server", "channel: no socket");
      return syncChannel({ socket, queryClient, userId, agentId });
    },
    enabled: connected && socket !== null,
    staleTime: 0,
    refetchOnWindowFocus: false,
    retry: (count, error) => count < 3 && isRetryableAckError(error),
  });
}
