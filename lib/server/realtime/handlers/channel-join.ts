import { z } from "zod";
import { toDirectChannel } from "../../../shared/realtime/channels";
import { getUsedToday, listStreaming } from "../../store/generations";
import { ensureChannel, listMessagesAfter } from "../../store/messages";
import { toAllowance } from "../answers/allowance";
import { findSnapshot } from "../answers/snapshots";
import { toUtcDayStart } from "../daily-caps";
import { defineHandler, fail, ok } from "../handler-kit";
import { channelRoom } from "../rooms";

const schema = z.object({
  agentId: z.string().max(64),
  after: z.int().min(0).optional(),
});

/**
 * `channel:join {agentId, after?}` → the socket's direct channel with that agent, its
 * messages after `after`, the answers being written in it, and what is left of the agent's
 * allowance. The server builds the name from the socket's own user id, so a
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
    // Answers being written continue from where they are: pushes from now on carry offsets
    // the client places after this text (or asks again for, when it missed one).
    const streaming = await listStreaming(ctx.db, channel);
    const generations = await Promise.all(streaming.map((row) => findSnapshot(ctx, row)));
    const allowance = agent.limits
      ? toAllowance(
          agent,
          socket.data.kind,
          await getUsedToday(ctx.db, {
            userId,
            userKind: socket.data.kind,
            addressKey: socket.data.addressKey ?? null,
            agentId: agent.id,
            since: toUtcDayStart(new Date()),
          }),
        )
      : null;
    return ok({ channel, messages, generations, allowance });
  },
});
