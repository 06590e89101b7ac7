import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps, ReactNode } from "react";
import { Button } from "@/components/ui/button";
import type { StreamingDraft } from "@/lib/client/cache/channel-cache";
import type { PendingMessage } from "@/lib/client/realtime/outbox";
import type { ChatMessage } from "@/lib/shared/realtime/events";
import { cn } from "@/lib/utils";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat.format(date);
}

const bubbleVariants = cva("whitespace-pre-wrap wrap-anywhere rounded-2xl px-3.5 py-2.5", {
  variants: {
    tone: {
      mine: "rounded-br-sm bg-primary text-primary-foreground",
      theirs: "rounded-bl-sm border bg-card text-card-foreground",
      pending: "rounded-br-sm bg-primary text-primary-foreground opacity-70",
      failed: "rounded-br-sm border border-destructive/40 bg-destructive-subtle text-destructive",
    },
  },
});

type Tone = NonNullable<VariantProps<typeof bubbleVariants>["tone"]>;

interface BubbleProps extends Omit<ComponentProps<"li">, "children"> {
  tone: Tone;
  author: string;
  time: ReactNode;
  body: ReactNode;
  /** Below the bubble (a retry button). */
  after?: ReactNode;
}

/** One bubble: who and when above, the text below; own messages on the right. */
function Bubble({ tone, author, time, body, after, ...item }: BubbleProps) {
  const mine = tone !== "theirs";
  return (
    <li
      className={cn(
        "grid max-w-[min(80%,620px)] gap-0.5 max-md:max-w-[90%]",
        mine ? "self-end justify-items-end" : "self-start",
      )}
      {...item}
    >
      <div className="flex gap-2 px-1 text-muted-foreground text-xs">
        <span className="font-semibold">{author}</span>
        {time}
      </div>
      <p className={bubbleVariants({ tone })} data-testid="message-body">
        {body}
      </p>
      {after}
    </li>
  );
}

export interface MessageBubbleProps {
  message: ChatMessage;
  mine: boolean;
  authorName: string;
}

/** A stored message; `data-seq` is its server sequence in the channel. */
export function MessageBubble({ message, mine, authorName }: MessageBubbleProps) {
  return (
    <Bubble
      tone={mine ? "mine" : "theirs"}
      author={mine ? "You" : authorName}
      time={<time dateTime={message.createdAt}>{formatTime(message.createdAt)}</time>}
      body={message.body}
      data-testid="message"
      data-seq={message.seq}
      data-author-kind={message.authorKind}
      data-message-id={message.id}
    />
  );
}

export interface PendingBubbleProps {
  message: PendingMessage;
  onResend: (message: PendingMessage) => void;
}

/** The optimistic bubble of a message not yet acknowledged (or failed, with a retry). */
export function PendingBubble({ message, onResend }: PendingBubbleProps) {
  const failed = message.status === "failed";
  // Over the send budget: it goes out by itself after the server's wait; say so kindly.
  const status = failed ? "Not sent" : message.slowedDown ? "Sending in a moment…" : "Sending…";
  return (
    <Bubble
      tone={failed ? "failed" : "pending"}
      author="You"
      time={
        <span className={cn(failed && "text-destructive")} aria-live="polite">
          {status}
        </span>
      }
      body={message.body}
      after={
        failed ? (
          <Button variant="ghost" size="sm" onClick={() => onResend(message)}>
            Retry sending
          </Button>
        ) : null
      }
      data-testid="pending-message"
      data-status={message.status}
      data-slowed-down={message.slowedDown ? "true" : undefined}
      data-client-message-id={message.clientMessageId}
    />
  );
}

export interface StreamingBubbleProps {
  draft: StreamingDraft;
  authorName: string;
}

const DOT = "size-1.25 animate-typing rounded-full bg-muted-foreground";

/** An agent answer still being written (`message:delta`); the stored message replaces it. */
export function StreamingBubble({ draft, authorName }: StreamingBubbleProps) {
  return (
    <Bubble
      tone="theirs"
      author={authorName}
      time={<span>typing…</span>}
      body={
        <>
          {draft.text}
          <span className="ml-1.5 inline-flex gap-0.75 align-middle" aria-hidden="true">
            <span className={DOT} />
            <span className={cn(DOT, "[animation-delay:150ms]")} />
            <span className={cn(DOT, "[animation-delay:300ms]")} />
          </span>
        </>
      }
      data-testid="streaming-message"
      data-message-id={draft.messageId}
      aria-busy
    />
  );
}
