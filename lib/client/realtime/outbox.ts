/**
 * Messages the user sent that the server has not acknowledged yet, derived from the send
 * mutations. Each is keyed by its client message id: a retry reuses the id (the server
 * stores a resend once), and an entry disappears as soon as the stored message is cached.
 */
import type { ChatMessage } from "../../shared/realtime/events";

export interface OutgoingMessage {
  channel: string;
  clientMessageId: string;
  body: string;
}

export type OutboxStatus = "idle" | "pending" | "success" | "error";

export interface OutboxEntry {
  variables: OutgoingMessage | undefined;
  status: OutboxStatus;
  submittedAt: number;
  /** The last attempt was refused as too fast: the send goes out after the server's wait. */
  slowedDown?: boolean;
}

export interface PendingMessage extends OutgoingMessage {
  status: "pending" | "failed";
  submittedAt: number;
  /** Waiting out a rate limit; it goes out by itself (tell the person, politely). */
  slowedDown: boolean;
}

/** A client message id: 128 random bits, `[A-Za-z0-9_]` (the server allows `[A-Za-z0-9_-]`). */
export function createClientMessageId(): string {
  return `cm_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Latest attempt per client message id, minus those acknowledged or already in `messages`. */
export function toPendingMessages(
  entries: readonly OutboxEntry[],
  messages: readonly ChatMessage[],
): PendingMessage[] {
  const stored = new Set(messages.map((m) => m.clientMessageId).filter(Boolean));
  const latest = new Map<string, OutboxEntry & { variables: OutgoingMessage }>();
  for (const entry of entries) {
    if (!entry.variables) continue;
    const seen = latest.get(entry.variables.clientMessageId);
    if (!seen || entry.submittedAt >= seen.submittedAt)
      latest.set(entry.variables.clientMessageId, { ...entry, variables: entry.variables });
  }
  const pending: PendingMessage[] = [];
  for (const entry of latest.values()) {
    if (entry.status === "success" || stored.has(entry.variables.clientMessageId)) continue;
    pending.push({
      ...entry.variables,
      status: entry.status === "error" ? "failed" : "pending",
      submittedAt: entry.submittedAt,
      slowedDown: entry.status === "pending" && entry.slowedDown === true,
    });
  }
  return pending.sort((a, b) => a.submittedAt - b.submittedAt);
}
