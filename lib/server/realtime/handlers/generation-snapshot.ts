import { z } from "zod";
import { getGeneration } from "../../store/generations";
import { findSnapshot } from "../answers/snapshots";
import { defineHandler, fail, ok } from "../handler-kit";
import { NO_SUCH_ANSWER } from "./generation-stop";

const schema = z.object({ messageId: z.string().min(1).max(64) });

/**
 * `generation:snapshot {messageId}` → the text so far of an answer being written (null once
 * it ended: its message is stored and was pushed). A client that missed a push asks for it.
 */
export const generationSnapshot = defineHandler({
  event: "generation:snapshot",
  eventClass: "read",
  schema,
  async handle(ctx, socket, { messageId }) {
    const row = await getGeneration(ctx.db, messageId);
    if (!row || row.userId !== socket.data.userId) return fail("not_found:message", NO_SUCH_ANSWER);
    if (row.status !== "streaming") return ok({ generation: null });
    return ok({ generation: await findSnapshot(ctx, row) });
  },
});
