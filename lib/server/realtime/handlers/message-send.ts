import { z } from "zod";
import { createId } from "../../../shared/ids";
import { parseChannel } from "../../../shared/realtime/channels";
import type { AckError, Allowance } from "../../../shared/realtime/events";
import { MESSAGE_BODY_MAX_LENGTH } from "../../../shared/realtime/events";
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from "../../../shared/text";
import { dropGeneration } from "../../store/generations";
import { appendMessage, findByClientMessageId } from "../../store/messages";
import { claimAnswer } from "../answers/claim";
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
    const input = {
      id: createId("msg"),
      channel: own.name,
      authorId: userId,
      authorKind: "user" as const,
      body: payload.body,
      clientMessageId: payload.clientMessageId,
    };
    // A resend of a message already stored (its ack was lost) is answered, limit or not.
    const refuse = async (error: AckError, allowance: Allowance | null) => {
      const stored = await findByClientMessageId(ctx.db, input);
      return stored ? ok({ message: stored, allowance }) : error;
    };
    if (!(await ctx.dailyCaps.spend(ctx.db, userId, socket.data.kind))) {
      return refuse(
        fail(
          "quota_exceeded:daily_messages",
          socket.data.kind === "guest"
            ? "You've reached today's message limit for guests. Sign up to keep going."
            : "You've reached today's message limit. It resets at midnight UTC.",
        ),
        null,
      );
    }
    // The answer is claimed first: over an allowance or the concurrency cap, nothing is
    // stored and nothing reaches the upstream.
    const answerId = createId("msg");
    const claim = await claimAnswer(ctx, socket.data, {
      id: answerId,
      channel: own.name,
      agent: own.agent,
      replyTo: input.id,
    }).catch((error: unknown) => {
      ctx.dailyCaps.refund(userId);
      throw error;
    });
    if (!claim.ok) {
      ctx.dailyCaps.refund(userId);
      return refuse(claim.error, claim.allowance);
    }
    const release = () => {
      ctx.dailyCaps.refund(userId);
      return dropGeneration(ctx.db, answerId);
    };
    // Again right before the write: a revoke may have landed while the channel was ensured.
    const refused = checkSession(ctx, socket.data);
    if (refused) {
      await release();
      return refused;
    }
    const { message, created } = await appendMessage(ctx.db, input).catch(
      async (error: unknown) => {
        ctx.channels.forget(own.name);
        await release().catch(() => {});
        throw error;
      },
    );
    // A resend of a stored message costs nothing of the day and starts no answer.
    if (!created) {
      await release();
      const { allowance } = claim;
      // The dropped claim counted one the resend did not use.
      return ok({
        message,
        allowance: allowance && {
          ...allowance,
          left: Math.min(allowance.limit, allowance.left + 1),
        },
      });
    }
    // Where it landed: the member's channel if a merge moved this one meanwhile.
    const landed = parseChannel(message.channel) ?? own.channel;
    toChannelAudience(ctx.io, landed).emit("message:created", message);
    ctx.answers.start({
      id: answerId,
      channel: message.channel,
      agent: own.agent,
      userMessage: message,
    });
    return ok({ message, allowance: claim.allowance });
  },
});
