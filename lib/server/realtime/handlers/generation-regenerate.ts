import { z } from "zod";
import { createId } from "../../../shared/ids";
import { dropGeneration } from "../../store/generations";
import { getMessage } from "../../store/messages";
import { claimAnswer } from "../answers/claim";
import { getOwnChannel } from "../channel-access";
import { checkSession, defineHandler, fail, ok } from "../handler-kit";
import { NO_SUCH_ANSWER } from "./generation-stop";

const schema = z.object({ messageId: z.string().min(1).max(64) });

/**
 * `generation:regenerate {messageId}` → the id of a new answer to the same user message.
 * Only the channel's last message, an agent answer, with no answer being written. The
 * earlier answer is kept: the log is append-only (every tab, and a sync by seq, stay right)
 * and what a person saw does not vanish; the new answer shares its `replyTo`, so clients
 * show the newest with the earlier ones as previous versions. It counts against the
 * agent's allowance like a message, since it asks the upstream again.
 */
export const generationRegenerate = defineHandler({
  event: "generation:regenerate",
  eventClass: "send",
  schema,
  async handle(ctx, socket, { messageId }) {
    const { userId } = socket.data;
    const answer = await getMessage(ctx.db, messageId);
    const own = answer ? getOwnChannel(ctx.agents, userId, answer.channel) : null;
    if (!answer || !own || answer.authorKind !== "agent" || !answer.replyTo) {
      return fail("not_found:message", NO_SUCH_ANSWER);
    }
    const question = await getMessage(ctx.db, answer.replyTo);
    if (!question) return fail("not_found:message", NO_SUCH_ANSWER);
    // It asks the upstream again, so it costs a message of the day, like a send.
    if (!(await ctx.dailyCaps.spend(ctx.db, userId, socket.data.kind))) {
      return fail("quota_exceeded:daily_messages", "You've reached today's message limit.");
    }
    const id = createId("msg");
    // The last-answer and nothing-running checks are made under the claim's lock, so two
    // tabs regenerating at once, or a regenerate racing a send, make one answer, not two.
    const claim = await claimAnswer(ctx, socket.data, {
      id,
      channel: own.name,
      agent: own.agent,
      replyTo: question.id,
      regenerates: answer.id,
    }).catch((error: unknown) => {
      ctx.dailyCaps.refund(userId);
      throw error;
    });
    if (!claim.ok) {
      ctx.dailyCaps.refund(userId);
      return claim.error;
    }
    const refused = checkSession(ctx, socket.data);
    if (refused) {
      ctx.dailyCaps.refund(userId);
      await dropGeneration(ctx.db, id);
      return refused;
    }
    ctx.answers.start({ id, channel: own.name, agent: own.agent, userMessage: question });
    return ok({ messageId: id, allowance: claim.allowance });
  },
});
