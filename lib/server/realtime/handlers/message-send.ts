import { z } from "zod";
import { parseChannel } from "../../../shared/realtime/channels";
import { MESSAGE_BODY_MAX_LENGTH } from "../../../shared/realtime/events";
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from "../../../shared/text";
import { appendMessage, findByClientMessageId } from "../../store/messages";
import { runAgentReply } from "../agent-reply";
import { getOwnChannel } from "../channel-access";
import { checkSession, defineHandler, denied, fail, ok } from "../handler-kit";
import { toChannelAudience } from "../rooms";

/** Client message ids are the client's own idempotency keys. */
export const CLIENT_MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const schema = z.object({
  channel: z.unknown().optional(),
  clientMessageId: z.string().regex(CLIENT_MESSAGE_ID_PATTERN),
  // Checked before trimming: the stored body is the sent one, or nothing is stored.
  body: z
    .string()
    .refine(isStorableText, UNSTORABLE_TEXT_MESSAGE)
    .trim()
    .min(1)
    .max(MESSAGE_BODY_MAX_LENGTH),
});

/**
 * `message:send {channel, clientMessageId, body}` → the stored message. A resend with the
 * same client message id returns the stored one and triggers nothing. A new message is
 * pushed to every socket of the user, then the channel's agent answers in the background.
 */
export const messageSend = defineHandler({
  event: "message:send",
  eventClass: "send",
  schema,
  async handle(ctx, socket, payload) {
    const { userId } = socket.data;
    const own = getOwnChannel(ctx.agents, userId, payload.channel);
    if (!own) return denied();
    await ctx.channels.ensure(ctx.db, { name: own.name, userId, agentId: own.agent.id });
    if (!(await ctx.dailyCaps.spend(ctx.db, userId, socket.data.kind))) {
      // A resend of a message already stored (its ack was lost) is answered, cap or not.
      const stored = await findByClientMessageId(ctx.db, {
        channel: own.name,
        authorId: userId,
        authorKind: "user",
        body: payload.body,
        clientMessageId: payload.clientMessageId,
      });
      if (stored) return ok({ message: stored });
      return fail(
        "quota_exceeded:daily_messages",
        socket.data.kind === "guest"
          ? "You've reached today's message limit for guests. Sign up to keep going."
          : "You've reached today's message limit. It resets at midnight UTC.",
      );
    }
    // Again right before the write: a revoke may have landed while the channel was ensured.
    const refused = checkSession(ctx, socket.data);
    if (refused) {
      ctx.dailyCaps.refund(userId);
      return refused;
    }
    const { message, created } = await appendMessage(ctx.db, {
      channel: own.name,
      authorId: userId,
      authorKind: "user",
      body: payload.body,
      clientMessageId: payload.clientMessageId,
    }).catch((error: unknown) => {
      ctx.channels.forget(own.name);
      ctx.dailyCaps.refund(userId);
      throw error;
    });
    // A resend of a stored message costs nothing of the day.
    if (!created) ctx.dailyCaps.refund(userId);
    if (created) {
      // Where it landed: the member's channel if a merge moved this one meanwhile.
      const landed = parseChannel(message.channel) ?? own.channel;
      toChannelAudience(ctx.io, landed).emit("message:created", message);
      ctx.replies.start((shutdown) => runAgentReply(ctx, own, message, shutdown));
    }
    return ok({ message });
  },
});
