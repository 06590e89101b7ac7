import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/realtime/events";
import type { AckEmitter, FoyerSocket } from "../realtime/socket";
import { applyCreated, type ChannelCache } from "./channel-cache";
import { foyerKeys, HISTORY_PAGE_SIZE, syncChannel } from "./queries";

const USER = "usr_a";
const AGENT = "agt_echo";
const CHANNEL = `direct-${USER}-${AGENT}`;
const KEY = foyerKeys.channel(USER, AGENT);

function msg(seq: number): ChatMessage {
  return {
    id: `m${seq}`,
    channel: CHANNEL,
    seq,
    clientMessageId: null,
    authorId: AGENT,
    authorKind: "agent",
    body: `b${seq}`,
    createdAt: "2025-01-01T00:00:00.000Z",
    status: null,
    note: null,
    replyTo: null,
  };
}
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));

type Handler = (payload: Record<string, unknown>) => unknown;
function stubSocket(handlers: Record<string, Handler>) {
  const calls: { event: string; payload: Record<string, unknown> }[] = [];
  const socket: AckEmitter = {
    timeout: () => ({
      emit: (event, payload, cb) => {
        calls.push({ event, payload: payload as Record<string, unknown> });
        const data = handlers[event]?.(payload as Record<string, unknown>);
        queueMicrotask(() => cb(null, { status: "OK", data }));
      },
    }),
  };
  return { socket: socket as unknown as FoyerSocket, calls };
}

describe("syncChannel", () => {
  it("joins after syncedSeq, reads history pages until caught up, and merges", async () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData<ChannelCache>(KEY, {
      channel: CHANNEL,
      messages: range(1, 3),
      syncedSeq: 3,
      streaming: [],
      allowance: null,
    });
    const { socket, calls } = stubSocket({
      "channel:join": () => ({ channel: CHANNEL, messages: range(4, 5) }),
      "channel:history": (p) =>
        p.after === 5
          ? { channel: CHANNEL, messages: range(6, 5 + HISTORY_PAGE_SIZE) }
          : { channel: CHANNEL, messages: range(6 + HISTORY_PAGE_SIZE, 7 + HISTORY_PAGE_SIZE) },
    });

    const result = await syncChannel({ socket, queryClient, userId: USER, agentId: AGENT });

    expect(calls[0]).toEqual({ event: "channel:join", payload: { agentId: AGENT, after: 3 } });
    expect(calls.slice(1).map((c) => c.payload.after)).toEqual([5, 5 + HISTORY_PAGE_SIZE]);
    expect(result.messages.map((m) => m.seq)).toEqual(
      range(1, 7 + HISTORY_PAGE_SIZE).map((m) => m.seq),
    );
    expect(result.syncedSeq).toBe(7 + HISTORY_PAGE_SIZE);
  });

  it("keeps pushes that were merged while the join was in flight", async () => {
    const queryClient = new QueryClient();
    const { socket } = stubSocket({
      "channel:join": () => {
        queryClient.setQueryData<ChannelCache>(KEY, (cache) => applyCreated(cache, msg(9)));
        return { channel: CHANNEL, messages: [] };
      },
    });
    const result = await syncChannel({ socket, queryClient, userId: USER, agentId: AGENT });
    expect(result.messages.map((m) => m.seq)).toEqual([9]);
    expect(result.syncedSeq).toBe(0);
  });

  it("refuses a channel that is not this user's channel with this agent", async () => {
    const queryClient = new QueryClient();
    const { socket } = stubSocket({
      "channel:join": () => ({ channel: `direct-usr_other-${AGENT}`, messages: [msg(1)] }),
    });
    await expect(
      syncChannel({ socket, queryClient, userId: USER, agentId: AGENT }),
    ).rejects.toMatchObject({
      code: "forbidden:channel",
    });
    expect(queryClient.getQueryData(KEY)).toBeUndefined();
  });

  it("a message pushed during the gap fetch, and also in the fetched page, appears once", async () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData<ChannelCache>(KEY, {
      channel: CHANNEL,
      messages: range(1, 2),
      syncedSeq: 2,
      streaming: [],
      allowance: null,
    });
    // The join answer is held until the test releases it; meanwhile pushes arrive.
    let releaseJoin!: () => void;
    const joinGate = new Promise<void>((r) => (releaseJoin = r));
    const socket = {
      timeout: () => ({
        emit: (event: string, _payload: unknown, cb: (e: Error | null, a: unknown) => void) => {
          if (event === "channel:join") {
            void joinGate.then(() =>
              cb(null, { status: "OK", data: { channel: CHANNEL, messages: range(3, 5) } }),
            );
          } else {
            queueMicrotask(() =>
              cb(null, { status: "OK", data: { channel: CHANNEL, messages: [] } }),
            );
          }
        },
      }),
    } as unknown as FoyerSocket;

    const syncing = syncChannel({ socket, queryClient, userId: USER, agentId: AGENT });
    for (const seq of [4, 6]) {
      queryClient.setQueryData<ChannelCache>(KEY, (cache) => applyCreated(cache, msg(seq)));
    }
    releaseJoin();
    const result = await syncing;
    expect(result.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(result.messages.map((m) => m.id)).size).toBe(6);
    // The push beyond the fetched range does not move syncedSeq: a later join still asks for
    // everything after 5, so a message missed between 5 and 6 could not hide behind it.
    expect(result.syncedSeq).toBe(5);
  });
});
