import { z } from "zod";
import { HISTORY_PAGE_MAX, listMessagesAfter } from "../../store/messages";
import { getOwnChannel } from "../channel-access";
import { defineHandler, denied, ok } from "../handler-kit";

const schema = z.object({
  // Any value: a malformed or foreign name gets the same denial as any other.
  channel: z.unknown().optional(),
  after: z.int().min(0),
  limit: z.int().min(1).max(HISTORY_PAGE_MAX).optional(),
});

/** `channel:history {channel, after, limit?}` → messages with seq > after, in seq order. */
export const channelHistory = defineHandler({
  event: "channel:history",
  eventClass: "read",
  schema,
  async handle(ctx, socket, payload) {
    const own = getOwnChannel(ctx.agents, socket.data.userId, payload.channel);
    if (!own) return denied();
    const messages = await listMessagesAfter(ctx.db, own.name, payload.after, payload.limit);
    return ok({ channel: own.name, messages });
  },
});
