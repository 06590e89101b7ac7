/**
 * A session change: what the authority announces after a rotate or revoke, and what every
 * gateway node must apply before that rotate or revoke answers (docs/design.md, S9). One
 * type for both sides, and the bus protocol's checks on it.
 */
export interface SessionChange {
  sessionId: string;
  /** The session's user; informational on the gateway side (it keys by session). */
  userId?: string;
  generation: number;
  revoked: boolean;
  /** Why a revoked session ended (`signed_out`, `merged`, …), told to its sockets. */
  reason?: string;
}

/** Whether every gateway node confirmed a change before the answer (void: no gateways). */
export type ChangeAnnouncement = { confirmed: boolean } | undefined;

/** Pure: whether `value`, as it arrived over the bus, is a well-formed change. */
export function isSessionChange(value: unknown): value is SessionChange {
  const v = value as Partial<SessionChange> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.sessionId === "string" &&
    Number.isSafeInteger(v.generation) &&
    typeof v.revoked === "boolean" &&
    (v.reason === undefined || (typeof v.reason === "string" && v.reason.length <= 64))
  );
}

/**
 * Whether `acks` (node ids, or false from a node that refused the change) confirm a change
 * that every node in `expected` must have applied. The bus alone cannot tell: it waits for
 * the servers subscribed at the moment, and a node that lost its connection is not one of
 * them, so it is missed without anyone noticing unless it is expected by name.
 */
export function isConfirmedBy(acks: readonly unknown[], expected: readonly string[]): boolean {
  if (!acks.every((ack) => typeof ack === "string")) return false;
  const heard = new Set(acks as string[]);
  return expected.every((nodeId) => heard.has(nodeId));
}

/**
 * Sends a change to every server on the bus (`emit`: Socket.IO's `serverSideEmitWithAck`)
 * while reading which nodes must have applied it (`expected`), and says whether they all
 * did. Both are bounded by `timeoutInMs`: the adapter times out on its own, but a stalled
 * bus or a hung store read must not hold the answer. Rejects on the timeout or an error.
 */
export async function collectConfirmation(
  emit: () => Promise<unknown[]>,
  expected: () => Promise<string[]>,
  timeoutInMs: number,
): Promise<{ confirmed: boolean; acks: unknown[]; missing: number }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const [acks, nodes] = await Promise.race([
      Promise.all([emit(), expected()]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no confirmation in time")), timeoutInMs);
      }),
    ]);
    return {
      confirmed: isConfirmedBy(acks, nodes),
      acks,
      missing: nodes.filter((id) => !acks.includes(id)).length,
    };
  } finally {
    clearTimeout(timer);
  }
}
