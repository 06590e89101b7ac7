import type { GenerationSnapshot } from "../../../shared/realtime/events";
import type { GenerationRow } from "../../store/generations";
import type { GatewayContext } from "../context";

/** How long a snapshot waits for the node writing the answer before the stored text is used. */
export const SNAPSHOT_ASK_TIMEOUT_IN_MS = 1_000;

/**
 * The text so far of an answer being written: from this node when it writes it, else from
 * the node that does (over the bus), else as that node last saved it (a node that died:
 * its answer is about to be ended as interrupted). Pushes continue from any of these, as a
 * client keeps only what lies beyond what it has.
 */
export async function findSnapshot(
  ctx: Pick<GatewayContext, "io" | "answers" | "clustered">,
  row: GenerationRow,
): Promise<GenerationSnapshot> {
  const local = ctx.answers.snapshot(row.id);
  if (local) return local;
  if (ctx.clustered) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answers: unknown = await Promise.race([
      ctx.io.serverSideEmitWithAck("answer:snapshot", row.id).catch(() => []),
      new Promise<[]>((resolve) => {
        timer = setTimeout(() => resolve([]), SNAPSHOT_ASK_TIMEOUT_IN_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const found = Array.isArray(answers)
      ? (answers as (GenerationSnapshot | null)[]).find((a) => a?.messageId === row.id)
      : null;
    if (found) return found;
  }
  return {
    channel: row.channel,
    messageId: row.id,
    authorId: row.agentId,
    replyTo: row.replyTo,
    text: row.body,
  };
}
