import { Button } from "@/components/ui/button";
import type { StreamingDraft } from "@/lib/client/cache/channel-cache";
import type { PendingMessage } from "@/lib/client/realtime/outbox";
import type { ChatMessage } from "@/lib/shared/realtime/events";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat.format(date);
}

export interface MessageBubbleProps {
  message: ChatMessage;
  mine: boolean;
  authorName: string;
}

/** A stored message; `data-seq` is its server sequence in the channel. */
export function MessageBubble({ message, mine, authorName }: MessageBubbleProps) {
  return (
    <li
      className={`message ${mine ? "message--mine" : "message--theirs"}`}
      data-testid="message"
      data-seq={message.seq}
      data-author-kind={message.authorKind}
      data-message-id={message.id}
    >
      <div className="message__meta">
        <span className="message__author">{mine ? "You" : authorName}</span>
        <time className="message__time" dateTime={message.createdAt}>
          {formatTime(message.createdAt)}
        </time>
      </div>
      <p className="message__body" data-testid="message-body">
        {message.body}
      </p>
    </li>
  );
}

export interface PendingBubbleProps {
  message: PendingMessage;
  onResend: (message: PendingMessage) => void;
}

/** The optimistic bubble of a message not yet acknowledged (or failed, with a retry). */
export function PendingBubble({ message, onResend }: PendingBubbleProps) {
  const failed = message.status === "failed";
  return (
    <li
      className={`message message--mine message--pending${failed ? " message--failed" : ""}`}
      data-testid="pending-message"
      data-status={message.status}
      data-client-message-id={message.clientMessageId}
    >
      <div className="message__meta">
        <span className="message__author">You</span>
        <span className="message__time">{failed ? "Not sent" : "Sending…"}</span>
      </div>
      <p className="message__body" data-testid="message-body">
        {message.body}
      </p>
      {failed ? (
        <Button
          variant="ghost"
          size="sm"
          className="message__retry"
          onClick={() => onResend(message)}
        >
          Retry sending
        </Button>
      ) : null}
    </li>
  );
}

export interface StreamingBubbleProps {
  draft: StreamingDraft;
  authorName: string;
}

/** An agent answer still being written (`message:delta`); the stored message replaces it. */
export function StreamingBubble({ draft, authorName }: StreamingBubbleProps) {
  return (
    <li
      className="message message--theirs message--streaming"
      data-testid="streaming-message"
      data-message-id={draft.messageId}
      aria-busy="true"
    >
      <div className="message__meta">
        <span className="message__author">{authorName}</span>
        <span className="message__time">typing…</span>
      </div>
      <p className="message__body" data-testid="message-body">
        {draft.text}
        <span className="typing-dots" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
      </p>
    </li>
  );
}
