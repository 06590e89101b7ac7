import type { Socket } from "socket.io";
import type { z } from "zod";
import { CHANNEL_ACCESS_DENIED } from "../../shared/realtime/channels";
import type {
  Ack,
  AckCallback,
  AckError,
  AckOk,
  ClientToServerEvents,
  InterServerEvents,
  RealtimeErrorCode,
  ServerToClientEvents,
  SocketData,
} from "../../shared/realtime/events";
import { type EventClass, FLOOD_REFUSALS_IN_A_ROW, type SocketBudgetState } from "./budgets";
import type { GatewayContext } from "./context";
import { applyStoredState } from "./sessions/changes";

/** A socket of the gateway, with the typed event maps and its verified `SocketData`. */
export type GatewaySocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export type ClientEvent = keyof ClientToServerEvents;
/** The `data` an event's OK ack carries. */
export type AckDataOf<E extends ClientEvent> =
  Parameters<ClientToServerEvents[E]>[1] extends AckCallback<infer T> ? T : never;

/** One client event: its payload schema and what to do with a valid payload. */
export interface HandlerSpec<E extends ClientEvent, S extends z.ZodType> {
  event: E;
  /** Which budget the event spends (budgets.ts): sends, reads, or cheap clicks. */
  eventClass: EventClass;
  schema: S;
  /**
   * Only `token:refresh`: may run once the socket's token expired or its session's tokens
   * were rotated (the new token is verified in full), but never for a revoked session.
   */
  refreshesToken?: boolean;
  handle(
    ctx: GatewayContext,
    socket: GatewaySocket,
    payload: z.output<S>,
  ): Promise<Ack<AckDataOf<E>>>;
}

export function defineHandler<E extends ClientEvent, S extends z.ZodType>(
  spec: HandlerSpec<E, S>,
): HandlerSpec<E, S> {
  return spec;
}

export const ok = <T>(data: T): AckOk<T> => ({ status: "OK", data });
export const fail = (code: RealtimeErrorCode, message: string): AckError => ({
  status: "ERROR",
  code,
  message,
});
/** The answer to an event over its socket's or its user's budget. */
export const limited = (retryAfterMs: number): AckError => ({
  ...fail("rate_limited:socket", "You're sending too fast. Wait a moment and it will go through."),
  retryAfterMs,
});
/** The one answer to any channel the socket's user is not a participant of. */
export const denied = (): AckError => fail("forbidden:channel", CHANNEL_ACCESS_DENIED);

/**
 * The per-event check (docs/design.md, S10: "every event re-checks its token's session and generation"):
 * a synchronous lookup (after a store read while the node is not receiving every change), so an event that arrives after a revoke or rotate was applied is
 * refused even if its socket has not been disconnected (or refreshed) yet. Null when the
 * socket may act.
 */
export function checkSession(
  ctx: Pick<GatewayContext, "sessions">,
  data: SocketData,
  refreshesToken = false,
  now = Date.now(),
): AckError | null {
  const entry = ctx.sessions.get(data.sessionId);
  if (!entry || entry.revoked || entry.generation < data.generation) {
    return fail("revoked:session", "The session was revoked. Sign in or start again.");
  }
  if (refreshesToken) return null;
  if (entry.generation > data.generation) {
    return fail("stale:token", "The session's tokens were rotated. Refresh the token and retry.");
  }
  if (data.tokenExpiresAt <= now) {
    return fail("unauthorized:token", "The socket token expired. Reconnect with a fresh token.");
  }
  return null;
}

/** The per-event session check as a listener runs it; null when the socket may act. */
export type EventSessionCheck = (
  ctx: GatewayContext,
  data: SocketData,
  refreshesToken: boolean,
) => AckError | null | Promise<AckError | null>;

/**
 * The gateway's {@link EventSessionCheck}: {@link checkSession}, synchronously while this node
 * hears every session change. A node that may have missed changes (bus lost) cannot trust its
 * table: it first reads the session from the store, which a revoke updated before it answered.
 */
export function checkEventSession(
  ctx: GatewayContext,
  data: SocketData,
  refreshesToken: boolean,
): AckError | null | Promise<AckError | null> {
  if (ctx.sessions.receiving) return checkSession(ctx, data, refreshesToken);
  return ctx.loadSessionState(data.sessionId).then((state) => {
    applyStoredState(ctx, data.sessionId, state);
    return checkSession(ctx, data, refreshesToken);
  });
}

/** A listener as EventEmitter calls it: its socket is `this`. */
export type SocketListener = (this: GatewaySocket, ...args: unknown[]) => Promise<void>;

/**
 * The listener for `spec`: session check → payload validation → `handle` → ack. A thrown
 * error becomes `internal:server`; a missing or non-function ack is tolerated. A failed
 * session check also disconnects the socket. Built once per gateway and shared by every
 * socket (a closure per socket and event cost ~1 KB per socket: docs/benchmarks.md, B9).
 */
export function createListener<E extends ClientEvent, S extends z.ZodType>(
  ctx: GatewayContext,
  spec: HandlerSpec<E, S>,
): SocketListener {
  return async function listener(this: GatewaySocket, ...args: unknown[]): Promise<void> {
    const last = args.at(-1);
    const reply = typeof last === "function" ? (last as (ack: Ack<unknown>) => void) : () => {};
    const payload = typeof args[0] === "function" ? undefined : args[0];
    const arrivedAt = ctx.observeEvent ? performance.now() : 0;
    if (!ctx.gate.enter()) {
      return reply(fail("unavailable:node", "This server is restarting. Reconnecting…"));
    }
    this.data.budget ??= { buckets: {}, inFlight: 0 };
    const budget: SocketBudgetState = this.data.budget;
    let counted = false;
    try {
      // Spent first and synchronously: before parsing, so a flood of garbage is limited like
      // any other, and before a store read (a node off the bus), so a flood queues nothing.
      const wait = ctx.budgets.admit(budget, this.data.userId, spec.eventClass, Date.now());
      if (wait !== null) {
        budget.refusedInRow = (budget.refusedInRow ?? 0) + 1;
        reply(limited(wait));
        if (budget.refusedInRow === FLOOD_REFUSALS_IN_A_ROW) {
          // It does not wait when told to: a refusal costs this node too, so it goes.
          ctx.log("gateway.socket_flooding", { userId: this.data.userId, socketEvent: spec.event });
          this.disconnect(true);
        }
        return;
      }
      budget.refusedInRow = 0;
      budget.inFlight += 1;
      counted = true;
      // Then the session: a revoked socket learns nothing more and is dropped at once; a
      // rotated one keeps its connection to refresh its token in place. Synchronous unless
      // the node must read the session first (see checkEventSession).
      let refused = ctx.checkEventSession(ctx, this.data, spec.refreshesToken ?? false);
      if (refused instanceof Promise) refused = await refused;
      ctx.observeEvent?.({
        event: spec.event,
        sessionId: this.data.sessionId,
        accepted: refused === null,
        at: arrivedAt,
      });
      if (refused) {
        ctx.log("gateway.event_refused", { socketEvent: spec.event, code: refused.code });
        reply(refused);
        if (refused.code !== "stale:token") this.disconnect(true);
        return;
      }
      const parsed = spec.schema.safeParse(payload);
      if (!parsed.success)
        return reply(fail("bad_request:payload", `Invalid ${spec.event} payload.`));
      reply(await spec.handle(ctx, this, parsed.data));
    } catch (error) {
      ctx.log("gateway.event_failed", { socketEvent: spec.event, error: String(error) });
      reply(fail("internal:server", "Something went wrong. Try again."));
    } finally {
      if (counted) budget.inFlight -= 1;
      ctx.gate.leave();
    }
  };
}

/** Subscribes a listener from {@link createListener} on `socket` for its event. */
export function subscribe(
  socket: GatewaySocket,
  event: ClientEvent,
  listener: SocketListener,
): void {
  (socket as unknown as Socket).on(event as string, listener);
}
