import { createId } from "../../shared/ids";
import { parseChannel } from "../../shared/realtime/channels";
import type { ChatMessage } from "../../shared/realtime/events";
import { waitAtMost } from "../common/wait-at-most";
import { appendMessage, listMessagesBefore } from "../store/messages";
import type { OwnChannel } from "./channel-access";
import type { GatewayContext } from "./context";
import { toChannelAudience } from "./rooms";

/** How many earlier messages an agent sees. */
export const AGENT_HISTORY_LIMIT = 20;
/** Longest answer stored; a runaway agent is cut here. */
export const AGENT_REPLY_MAX_LENGTH = 8000;
export const AGENT_REPLY_TIMEOUT_IN_MS = 60_000;
const APOLOGY = "Sorry, I could not answer that just now. Please try again.";

/** Runs agent replies in the background and stops them all on `close`. */
/** How long a closing tracker waits for aborted replies to settle. */
const ABORTED_REPLY_WAIT_IN_MS = 1_000;

export interface ReplyTracker {
  start(task: (shutdown: AbortSignal) => Promise<void>): void;
  /**
   * Takes no new reply, lets running ones finish for up to `graceInMs`, then aborts what is
   * left and waits for it to settle.
   */
  close(graceInMs?: number): Promise<void>;
}

export function createReplyTracker(log: GatewayContext["log"]): ReplyTracker {
  const shutdown = new AbortController();
  const running = new Set<Promise<void>>();
  let closing = false;
  return {
    start(task) {
      if (closing) return;
      const run: Promise<void> = task(shutdown.signal)
        .catch((error: unknown) => log("agent.reply_failed", { error: String(error) }))
        .finally(() => running.delete(run));
      running.add(run);
    },
    async close(graceInMs = 0) {
      closing = true;
      if (graceInMs > 0 && running.size > 0) {
        await waitAtMost(Promise.allSettled([...running]), graceInMs);
      }
      shutdown.abort();
      // An agent that ignores the abort must not hold the shutdown: wait a moment, no more.
      await waitAtMost(Promise.allSettled([...running]), ABORTED_REPLY_WAIT_IN_MS);
    },
  };
}

/**
 * Asks the channel's agent to answer `userMessage`. Streaming agents push `message:delta`
 * (the full text so far) to the channel's audience; the answer is then stored with the
 * next seq and pushed as `message:created` under the same id the deltas carried. A failing
 * or timed-out agent leaves a short apology (with any partial text), so no client is left
 * with a dangling draft; a shutdown stores nothing.
 */
export async function runAgentReply(
  ctx: Pick<GatewayContext, "io" | "db" | "log">,
  own: OwnChannel,
  userMessage: ChatMessage,
  shutdown: AbortSignal,
): Promise<void> {
  const { agent, name } = own;
  const audience = toChannelAudience(ctx.io, own.channel);
  const history = await listMessagesBefore(ctx.db, name, userMessage.seq, AGENT_HISTORY_LIMIT);
  const signal = AbortSignal.any([shutdown, AbortSignal.timeout(AGENT_REPLY_TIMEOUT_IN_MS)]);
  const messageId = createId("msg");
  let text = "";
  let failed = false;
  try {
    for await (const piece of agent.reply({ history, userMessage, signal })) {
      if (signal.aborted) break;
      text = (text + piece).slice(0, AGENT_REPLY_MAX_LENGTH);
      if (agent.streams) {
        audience.emit("message:delta", { channel: name, messageId, authorId: agent.id, text });
      }
      if (text.length >= AGENT_REPLY_MAX_LENGTH) break;
    }
  } catch (error) {
    failed = true;
    if (!shutdown.aborted)
      ctx.log("agent.reply_failed", { agentId: agent.id, error: String(error) });
  }
  if (shutdown.aborted) return;
  if (failed || signal.aborted || text.trim() === "") {
    text = text.trim() === "" ? APOLOGY : `${text}\n\n(${APOLOGY})`;
  }
  const { message } = await appendMessage(ctx.db, {
    id: messageId,
    channel: name,
    authorId: agent.id,
    authorKind: "agent",
    body: text,
    clientMessageId: null,
  });
  // A merge may have moved the channel while the agent wrote: tell where it landed too.
  const landed = parseChannel(message.channel);
  const target = landed && message.channel !== name ? toChannelAudience(ctx.io, landed) : audience;
  target.emit("message:created", message);
}
