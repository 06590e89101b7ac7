import type { Queryable } from "../db/types";

/**
 * Which gateway nodes must confirm a session change. A node is listed while it hears every
 * change over the bus and so answers its sockets' events from memory; one that lost the bus
 * takes itself off the list and checks the store on every event instead (gateway.ts). A
 * node that died or cannot reach the store drops off once its last heartbeat is older than
 * the liveness window. Times are the database's clock, so nodes' clocks need not agree.
 */
export const NODE_HEARTBEAT_INTERVAL_IN_MS = 2_000;
export const NODE_LIVENESS_IN_MS = 3 * NODE_HEARTBEAT_INTERVAL_IN_MS;
/** Rows this much older than their last heartbeat are deleted by the next heartbeat. */
const FORGET_AFTER_IN_MS = 60 * 60 * 1000;

/** Lists the node (again) as seen now. */
export async function beatNode(db: Queryable, nodeId: string): Promise<void> {
  await db.query(
    `INSERT INTO gateway_nodes (id, last_seen) VALUES ($1, now())
     ON CONFLICT (id) DO UPDATE SET last_seen = now()`,
    [nodeId],
  );
}

/** Deletes rows of nodes not seen for an hour (crashed nodes never remove their own). */
export async function forgetDeadNodes(db: Queryable): Promise<void> {
  await db.query(
    `DELETE FROM gateway_nodes WHERE last_seen < now() - ($1::integer * interval '1 millisecond')`,
    [FORGET_AFTER_IN_MS],
  );
}

/** Takes the node off the list: it no longer answers from memory, or it stopped. */
export async function removeNode(db: Queryable, nodeId: string): Promise<void> {
  await db.query("DELETE FROM gateway_nodes WHERE id = $1", [nodeId]);
}

/** The nodes seen within the liveness window, except `exceptNodeId`. */
export async function liveNodeIds(db: Queryable, exceptNodeId?: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM gateway_nodes
      WHERE last_seen > now() - ($1::integer * interval '1 millisecond') AND id <> $2
      ORDER BY id`,
    [NODE_LIVENESS_IN_MS, exceptNodeId ?? ""],
  );
  return rows.map((row) => row.id);
}
