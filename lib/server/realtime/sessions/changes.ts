import type { SessionChange } from "../../common/session-change";
import { publishSessionChange } from "../../common/session-change-hub";
import type { GatewayContext, GatewaySessionState } from "../context";
import type { GatewaySocket } from "../handler-kit";
import { sessionRoom } from "../rooms";

/** How long a socket of a rotated session may take to refresh its token in place. */
export const ROTATION_GRACE_IN_MS = 30_000;

function staleSockets(ctx: Pick<GatewayContext, "io" | "sessions">, sessionId: string) {
  const ids = [...(ctx.io.sockets.adapter.rooms.get(sessionRoom(sessionId)) ?? [])];
  return ids
    .map((id): GatewaySocket | undefined => ctx.io.sockets.sockets.get(id))
    .filter(
      (s): s is GatewaySocket =>
        s !== undefined && !ctx.sessions.isCurrent(s.data.sessionId, s.data.generation),
    );
}

/**
 * Applies `change` on this node, synchronously: records it, so the very next event of any
 * socket of the session with an older generation is refused. A revoke then tells those
 * sockets why (`session:revoked`) and disconnects them. A rotate keeps them connected but
 * useless until they refresh their token in place: they get `session:rotated` (fetch the
 * current token, then `token:refresh`), and any still stale after the grace period are
 * disconnected.
 */
export function applySessionChangeLocally(
  ctx: Pick<GatewayContext, "io" | "sessions" | "log">,
  change: SessionChange,
): void {
  const current = ctx.sessions.record(change.sessionId, {
    generation: change.generation,
    revoked: change.revoked,
  });
  // Caches derived from this session (the web side's identity cache) forget it now too.
  publishSessionChange(change.sessionId);
  const stale = staleSockets(ctx, change.sessionId);
  if (current.revoked) {
    for (const socket of stale) {
      socket.emit("session:revoked", { reason: change.reason ?? "revoked" });
      socket.disconnect(true);
    }
  } else {
    for (const socket of stale) socket.emit("session:rotated", { generation: current.generation });
    if (stale.length > 0) {
      setTimeout(() => {
        for (const socket of staleSockets(ctx, change.sessionId)) {
          socket.emit("session:revoked", { reason: "rotated" });
          socket.disconnect(true);
        }
      }, ROTATION_GRACE_IN_MS).unref();
    }
  }
  ctx.log("gateway.session_changed", {
    sessionId: change.sessionId,
    generation: current.generation,
    revoked: current.revoked,
    staleSockets: stale.length,
  });
}

/**
 * Brings this node's table up to what the store says of a session (null: it is gone), for a
 * node that may have missed changes: a newer generation or a revoke found there is applied
 * exactly as if it had arrived over the bus. Returns whether anything changed.
 */
export function applyStoredState(
  ctx: Pick<GatewayContext, "io" | "sessions" | "log">,
  sessionId: string,
  state: Pick<GatewaySessionState, "generation" | "revoked"> | null,
): boolean {
  const known = ctx.sessions.get(sessionId);
  const stored = state ?? { generation: known?.generation ?? 0, revoked: true };
  const newer =
    known === null ||
    stored.generation > known.generation ||
    (stored.generation === known.generation && stored.revoked && !known.revoked);
  if (!newer) return false;
  applySessionChangeLocally(ctx, {
    sessionId,
    generation: stored.generation,
    revoked: stored.revoked,
    reason: state ? "revoked" : "ended",
  });
  return true;
}
