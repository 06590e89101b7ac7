import { z } from "zod";
import { setStar } from "../../store/stars";
import { defineHandler, fail, ok } from "../handler-kit";
import { userRoom } from "../rooms";

const schema = z.object({ agentId: z.string().max(64), starred: z.boolean() });

/**
 * `star:set {agentId, starred}` → the new state, also pushed as `star:updated` to every
 * socket of the user (every tab re-sorts its list).
 */
export const starSet = defineHandler({
  event: "star:set",
  eventClass: "cheap",
  schema,
  async handle(ctx, socket, { agentId, starred }) {
    const agent = ctx.agents.get(agentId);
    if (!agent) return fail("not_found:agent", "No agent with this id.");
    const { userId } = socket.data;
    await setStar(ctx.db, { userId, agentId: agent.id, starred });
    const state = { agentId: agent.id, starred };
    ctx.io.to(userRoom(userId)).emit("star:updated", state);
    return ok(state);
  },
});
