import { z } from "zod";
import { toDirectChannel } from "../../../shared/realtime/channels";
import { markChannelRead } from "../../store/channel-summaries";
import { defineHandler, fail, ok } from "../handler-kit";
import { userRoom } from "../rooms";

const schema = z.object({ agentId: z.string().max(64), seq: z.int().min(0) });

/**
 * `channel:read {agentId, seq}` → the channel's new read state, also pushed as
 * `channel:updated` to every socket of the user (every tab's unread count follows). The
 * channel is the socket's own, built from its user.
 */
export const channelRead = defineHandler({
  event: "channel:read",
  eventClass: "cheap",
  schema,
  async handle(ctx, socket, { agentId, seq }) {
    const agent = ctx.agents.get(agentId);
    if (!agent) return fail("not_found:agent", "No agent with this id.");
    const { userId } = socket.data;
    const marked = await markChannelRead(ctx.db, toDirectChannel(userId, agent.id), seq);
    const state = { agentId: agent.id, readSeq: marked?.readSeq ?? 0, unread: marked?.unread ?? 0 };
    if (marked) ctx.io.to(userRoom(userId)).emit("channel:updated", state);
    return ok(state);
  },
});
