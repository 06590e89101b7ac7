import { z } from "zod";
import { toDirectChannel } from "../../../shared/realtime/channels";
import { ensureChannel, listMessagesAfter } from "../../store/messages";
import { defineHandler, fail, ok } from "../handler-kit";
import { channelRoom } from "../rooms";

const schema = z.object({
  agentId: z.string().max(64),
  after: z.int().min(0).optional(),
});

/**
 * `channel:join {agentId, after?}` → the socket's direct channel with that agent and its
 * messages after `after`. The server builds the name from the socket's own user id, so a
 * client can never name another user's channel here.
 */
export const channelJoin = defineHandler({
  event: "channel:join",
  eventClass: "read",
  schema,
  async handle(ctx, socket, { agentId, after }) {
    const agent = ctx.agents.get(agentId);
    if (!agent) return fail("not_found:agent", "No agent with this id.");
    const { userId } = socket.data;
    const channel = toDirectChannel(userId, agent.id);
    await ensureChannel(ctx.db, { name: channel, userId, agentId: agent.id });
    // Join before reading: a message stored in between is then pushed, not lost.
    await socket.join(channelRoom(channel));
    const messages = await listMessagesAfter(ctx.db, channel, after ?? 0);
    return ok({ channel, messages });
  },
});
