import { z } from "zod";
import { listChannelSummaries } from "../../store/channel-summaries";
import { listStars } from "../../store/stars";
import { defineHandler, ok } from "../handler-kit";

const NO_CHANNEL = { unread: 0, readSeq: 0, latest: null };

/**
 * `agent:list {}` → the agents this gateway offers, each with whether this user starred it,
 * its unread agent messages and the latest line of the user's channel with it.
 */
export const agentList = defineHandler({
  event: "agent:list",
  eventClass: "read",
  schema: z.object({}).nullish(),
  async handle(ctx, socket) {
    const { userId } = socket.data;
    const [stars, summaries] = await Promise.all([
      listStars(ctx.db, userId),
      listChannelSummaries(ctx.db, userId),
    ]);
    const starred = new Set(stars);
    const agents = ctx.agents.list().map((a) => ({
      ...a,
      ...(summaries.get(a.id) ?? NO_CHANNEL),
      starred: starred.has(a.id),
    }));
    return ok({ agents });
  },
});
