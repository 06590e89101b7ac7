/**
 * Messages between this origin's tabs over a `BroadcastChannel` (docs/design.md, client
 * invariants 2 and 5). Two kinds: an identity change (a sign-in, sign-out or revoked guest in one tab:
 * the others re-sync as a whole) and a refreshed socket token (adopted by another tab only
 * when it names the user that tab's token manager owns). Every message is validated;
 * anything malformed is ignored. Tokens are never written to storage.
 */
import { z } from "zod";
import { ID_PATTERN } from "../../shared/ids";

export const TAB_SYNC_CHANNEL = "foyer:tab-sync";

const identityChanged = z.object({
  type: z.literal("identity:changed"),
  from: z.string().max(64),
  /** The identity the cookies now name, or null when they name nobody. */
  userId: z.string().regex(ID_PATTERN).nullable(),
  kind: z.enum(["guest", "member"]).nullable(),
});

const tokenUpdated = z.object({
  type: z.literal("token:updated"),
  from: z.string().max(64),
  userId: z.string().regex(ID_PATTERN),
  socketToken: z.string().min(1).max(4096),
  expiresAt: z.iso.datetime(),
});

export const tabMessageSchema = z.discriminatedUnion("type", [identityChanged, tokenUpdated]);
export type TabMessage = z.infer<typeof tabMessageSchema>;
export type IdentityChangedMessage = z.infer<typeof identityChanged>;
export type TokenUpdatedMessage = z.infer<typeof tokenUpdated>;

/** This tab's id, carried in its messages (for diagnostics). */
export const TAB_ID = `tab_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

/** The part of BroadcastChannel tab-sync uses (lets tests pass a fake). */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

let shared: ChannelLike | null | undefined;

function getChannel(): ChannelLike | null {
  if (shared !== undefined) return shared;
  shared = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(TAB_SYNC_CHANNEL);
  return shared;
}

/** Parses a received message; null for anything malformed. */
export function parseTabMessage(data: unknown): TabMessage | null {
  const parsed = tabMessageSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

export function postTabMessage(
  message: Omit<IdentityChangedMessage, "from"> | Omit<TokenUpdatedMessage, "from">,
  channel: ChannelLike | null = getChannel(),
): void {
  channel?.postMessage({ ...message, from: TAB_ID });
}

/** Tells the other tabs that the cookies now name `identity` (or nobody). */
export function notifyIdentityChanged(
  identity: { userId: string; kind: "guest" | "member" } | null,
  channel?: ChannelLike | null,
): void {
  postTabMessage(
    { type: "identity:changed", userId: identity?.userId ?? null, kind: identity?.kind ?? null },
    channel,
  );
}

/** Subscribes to valid messages from other tabs; returns the unsubscribe. */
export function subscribeTabMessages(
  onMessage: (message: TabMessage) => void,
  channel: ChannelLike | null = getChannel(),
): () => void {
  if (!channel) return () => {};
  const listener = (event: { data: unknown }) => {
    // BroadcastChannel never delivers a message to the object that posted it.
    const message = parseTabMessage(event.data);
    if (message) onMessage(message);
  };
  channel.addEventListener("message", listener);
  return () => channel.removeEventListener("message", listener);
}
