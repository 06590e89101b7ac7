import { z } from "zod";
import { getGeneration, takeOverExpired } from "../../store/generations";
import { defineHandler, fail, ok } from "../handler-kit";

const schema = z.object({ messageId: z.string().min(1).max(64) });

/** The one answer for an answer that is not the socket's user's, or does not exist. */
export const NO_SUCH_ANSWER = "No such answer in your conversations.";

/**
 * `generation:stop {messageId}` → whether an answer being written is now stopping. Any tab
 * of the channel's user, on any node, may stop it: this node aborts its own; another node's
 * is asked over the bus; one whose node is gone (its lease expired, or no other node exists)
 * is ended here as `stopped` with the text it saved. The answer's final message follows.
 */
export const generationStop = defineHandler({
  event: "generation:stop",
  eventClass: "send",
  schema,
  async handle(ctx, socket, { messageId }) {
    const row = await getGeneration(ctx.db, messageId);
    if (!row || row.userId !== socket.data.userId) return fail("not_found:message", NO_SUCH_ANSWER);
    if (row.status !== "streaming") return ok({ stopping: false });
    if (ctx.answers.stop(messageId)) return ok({ stopping: true });
    // Without other nodes, an answer this node is not writing has no writer left.
    const [orphan] = await takeOverExpired(ctx.db, ctx.nodeId, {
      id: messageId,
      force: !ctx.clustered,
    });
    if (orphan) {
      await ctx.answers.endOrphan(orphan, "stopped");
      return ok({ stopping: true });
    }
    ctx.io.serverSideEmit("answer:stop", messageId);
    return ok({ stopping: true });
  },
});
