import type { Queryable } from "../db/types";

/** Stars a visitor gave agents (guest or member); starred agents sort first. */

/** The agent ids `userId` starred, oldest star first. */
export async function listStars(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ agent_id: string }>(
    "SELECT agent_id FROM stars WHERE user_id = $1 ORDER BY created_at, agent_id",
    [userId],
  );
  return rows.map((r) => r.agent_id);
}

/** Stars or unstars; idempotent either way. */
export async function setStar(
  db: Queryable,
  input: { userId: string; agentId: string; starred: boolean },
): Promise<void> {
  if (input.starred) {
    await db.query("INSERT INTO stars (user_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      input.userId,
      input.agentId,
    ]);
  } else {
    await db.query("DELETE FROM stars WHERE user_id = $1 AND agent_id = $2", [
      input.userId,
      input.agentId,
    ]);
  }
}
