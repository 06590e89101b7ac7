"use client";

import { cva, type VariantProps } from "class-variance-authority";
import {
  ChevronLeftIcon,
  ChevronRightIcon,
  RefreshCwIcon,
  RotateCcwIcon,
  SquareIcon,
} from "lucide-react";
import { type ComponentProps, type ReactNode, useState } from "react";
import { Button } from "@/components/ui/button";
import type { StreamingDraft } from "@/lib/client/cache/channel-cache";
import type { PendingMessage } from "@/lib/client/realtime/outbox";
import type { ChatMessage } from "@/lib/shared/realtime/events";
import { cn } from "@/lib/utils";
import { CopyButton } from "./copy-button";
import { Markdown } from "./markdown";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat.format(date);
}

const bubbleVariants = cva("wrap-anywhere rounded-2xl px-3.5 py-2.5", {
  variants: {
    tone: {
      mine: "rounded-br-sm bg-primary text-primary-foreground",
      theirs: "rounded-bl-sm border bg-card text-card-foreground",
      pending: "rounded-br-sm bg-primary text-primary-foreground opacity-70",
      failed: "rounded-br-sm border border-destructive/40 bg-destructive-subtle text-destructive",
    },
    // Plain text keeps its line breaks; markdown lays out its own blocks (and may scroll).
    format: { plain: "whitespace-pre-wrap", markdown: "min-w-0 max-w-full" },
  },
  defaultVariants: { format: "plain" },
});

type Tone = NonNullable<VariantProps<typeof bubbleVariants>["tone"]>;
type Format = NonNullable<VariantProps<typeof bubbleVariants>["format"]>;

interface BubbleProps extends Omit<ComponentProps<"li">, "children"> {
  tone: Tone;
  format?: Format;
  author: string;
  time: ReactNode;
  body: ReactNode;
  /** Leave out the bubble itself (an answer that failed before it wrote anything). */
  bodyHidden?: boolean;
  /** Below the bubble (status, actions). */
  after?: ReactNode;
}

/** One bubble: who and when above, the text below; own messages on the right. */
function Bubble({ tone, format, author, time, body, bodyHidden, after, ...item }: BubbleProps) {
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
      <div
        className={cn(bubbleVariants({ tone, format }), bodyHidden && "hidden")}
        data-testid="message-body"
      >
        {body}
      </div>
      {after}
    </li>
  );
}

const ACTION = "h-7 gap-1 px-2 text-muted-foreground text-xs has-[>svg]:px-2";
const ICON = "size-3.5";

/** The row under a bubble: status, then small actions. */
function ActionRow({ children, mine }: { children: ReactNode; mine: boolean }) {
  return (
    <div
      className={cn(
        "flex flex-wrap items-center gap-x-1 px-0.5 text-muted-foreground text-xs",
        mine && "justify-end",
      )}
    >
      {children}
    </div>
  );
}

function RetryButton({ onClick }: { onClick: () => void }) {
  return (
    <Button
      variant="ghost"
      size="sm"
      className={ACTION}
      onClick={onClick}
      aria-label="Retry answer"
      data-testid="retry-answer"
    >
      <RotateCcwIcon className={ICON} aria-hidden="true" />
      Retry
    </Button>
  );
}

interface AnswerStatusProps {
  message: ChatMessage;
  /** Given when the answer may be written again (the channel's last answer). */
  onRetry?: () => void;
}

/** How a stored answer ended, when that is worth a word: stopped, failed or interrupted. */
function AnswerStatus({ message, onRetry }: AnswerStatusProps) {
  const { status } = message;
  if (status === "stopped") {
    return (
      <span
        className="inline-flex items-center gap-1 px-1.5"
        data-testid="answer-status"
        data-status={status}
      >
        <SquareIcon className="size-2.5 fill-current" aria-hidden="true" />
        Stopped
      </span>
    );
  }
  if (status !== "failed" && status !== "interrupted") return null;
  const text =
    status === "failed"
      ? (message.note ?? "The answer could not be written.")
      : "Answer interrupted";
  return (
    <span
      className="inline-flex flex-wrap items-center gap-x-1 px-1.5 text-destructive"
      data-testid="answer-status"
      data-status={status}
    >
      <span>{text}</span>
      {/* Spaces as text, so the line reads "Answer interrupted · Retry" to every reader. */}
      {onRetry ? (
        <>
          {" "}
          <span aria-hidden="true">·</span> <RetryButton onClick={onRetry} />
        </>
      ) : null}
    </span>
  );
}

/** Which version of an answer is shown, out of how many, and how to pick another. */
export interface AnswerVersionsControl {
  /** 0-based. */
  index: number;
  count: number;
  onSelect: (index: number) => void;
}

/** "‹ 2 / 3 ›": steps through the versions of a regenerated answer. */
export function VersionSwitcher({ index, count, onSelect }: AnswerVersionsControl) {
  return (
    <fieldset className="inline-flex items-center" data-testid="answer-versions">
      <legend className="sr-only">Answer versions</legend>
      <Button
        variant="ghost"
        size="icon"
        className="size-7 text-muted-foreground"
        aria-label="Previous version"
        disabled={index <= 0}
        onClick={() => onSelect(index - 1)}
      >
        <ChevronLeftIcon className="size-4" aria-hidden="true" />
      </Button>
      <span className="text-xs tabular-nums" aria-live="polite">
        <span className="sr-only">Version </span>
        {index + 1} / {count}
      </span>
      <Button
        variant="ghost"
        size="icon"
        className="size-7 text-muted-foreground"
        aria-label="Next version"
        disabled={index >= count - 1}
        onClick={() => onSelect(index + 1)}
      >
        <ChevronRightIcon className="size-4" aria-hidden="true" />
      </Button>
    </fieldset>
  );
}

/** Props of {@link MessageBubble}. */
export interface MessageBubbleProps {
  message: ChatMessage;
  mine: boolean;
  authorName: string;
  /**
   * Given on the channel's last answer while nothing else is being written: offers
   * Regenerate (and Retry on a failed or interrupted answer), called with the message id.
   */
  onRegenerate?: (messageId: string) => void;
  /** With a regenerated answer: the versions switcher. */
  versions?: AnswerVersionsControl;
}

/**
 * A stored message; `data-seq` is its server sequence in the channel. Agent answers are
 * rendered as markdown, user messages as the plain text they typed; each can be copied raw.
 */
export function MessageBubble({
  message,
  mine,
  authorName,
  onRegenerate,
  versions,
}: MessageBubbleProps) {
  const agent = message.authorKind === "agent";
  const regenerate = onRegenerate ? () => onRegenerate(message.id) : undefined;
  const retryable = message.status === "failed" || message.status === "interrupted";
  return (
    <Bubble
      tone={mine ? "mine" : "theirs"}
      format={agent ? "markdown" : "plain"}
      author={mine ? "You" : authorName}
      time={<time dateTime={message.createdAt}>{formatTime(message.createdAt)}</time>}
      body={agent ? <Markdown text={message.body} /> : message.body}
      bodyHidden={message.body === ""}
      after={
        <ActionRow mine={mine}>
          {agent ? <AnswerStatus message={message} onRetry={regenerate} /> : null}
          {message.body ? (
            <CopyButton text={message.body} label="Copy message" data-testid="copy-message" />
          ) : null}
          {regenerate && !retryable ? (
            <Button
              variant="ghost"
              size="sm"
              className={ACTION}
              onClick={regenerate}
              data-testid="regenerate-answer"
            >
              <RefreshCwIcon className={ICON} aria-hidden="true" />
              Regenerate
            </Button>
          ) : null}
          {versions && versions.count > 1 ? <VersionSwitcher {...versions} /> : null}
        </ActionRow>
      }
      data-testid="message"
      data-seq={message.seq}
      data-author-kind={message.authorKind}
      data-message-id={message.id}
      data-status={message.status ?? undefined}
    />
  );
}

/** Props of {@link PendingBubble}. */
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

/** Props of {@link StreamingBubble}. */
export interface StreamingBubbleProps {
  draft: StreamingDraft;
  authorName: string;
  /** Stops the answer (from this tab; every tab sees it end `stopped`). Without it, no Stop button. */
  onStop?: (messageId: string) => void;
  /** When this is a new version of an answer: the versions switcher. */
  versions?: AnswerVersionsControl;
}

const DOT = "size-1.25 animate-typing rounded-full bg-muted-foreground";

/** An agent answer still being written (`message:delta`); the stored message replaces it. */
export function StreamingBubble({ draft, authorName, onStop, versions }: StreamingBubbleProps) {
  return (
    <Bubble
      tone="theirs"
      format="markdown"
      author={authorName}
      time={<span>typing…</span>}
      body={
        <>
          {draft.text ? <Markdown text={draft.text} /> : null}
          <span className="mt-1 inline-flex gap-0.75 align-middle" aria-hidden="true">
            <span className={DOT} />
            <span className={cn(DOT, "[animation-delay:150ms]")} />
            <span className={cn(DOT, "[animation-delay:300ms]")} />
          </span>
        </>
      }
      after={
        <ActionRow mine={false}>
          {onStop ? (
            <Button
              variant="ghost"
              size="sm"
              className={ACTION}
              onClick={() => onStop(draft.messageId)}
              aria-label="Stop answer"
              data-testid="stop-answer"
            >
              <SquareIcon className="size-3 fill-current" aria-hidden="true" />
              Stop
            </Button>
          ) : null}
          {versions && versions.count > 1 ? <VersionSwitcher {...versions} /> : null}
        </ActionRow>
      }
      data-testid="streaming-message"
      data-message-id={draft.messageId}
      aria-busy
    />
  );
}

/** Props of {@link AnswerGroup}. */
export interface AnswerGroupProps {
  /** The stored versions of one answer (same `replyTo`), oldest first. */
  versions: readonly ChatMessage[];
  /** A further version being written right now (a regenerate), shown as the newest. */
  draft: StreamingDraft | null;
  authorName: string;
  /** Given when the group holds the channel's last answer and nothing else is being written. */
  onRegenerate?: (messageId: string) => void;
  onStop?: (messageId: string) => void;
}

/**
 * One answer and its earlier versions: the newest is shown (a version being written
 * counts as the newest), and the switcher brings back an earlier one. Regenerate and Retry
 * appear on the newest stored version only, since only the channel's last answer can be
 * written again.
 */
export function AnswerGroup({
  versions,
  draft,
  authorName,
  onRegenerate,
  onStop,
}: AnswerGroupProps) {
  // null follows the newest version, so a regenerated answer comes into view by itself.
  const [chosen, setChosen] = useState<number | null>(null);
  const count = versions.length + (draft ? 1 : 0);
  const newest = count - 1;
  const index = chosen === null ? newest : Math.min(chosen, newest);
  const control: AnswerVersionsControl = {
    index,
    count,
    onSelect: (next) => setChosen(next >= newest ? null : Math.max(0, next)),
  };
  const regenerate = onRegenerate
    ? (messageId: string) => {
        setChosen(null);
        onRegenerate(messageId);
      }
    : undefined;

  const message = versions[index];
  if (draft && !message) {
    return (
      <StreamingBubble draft={draft} authorName={authorName} onStop={onStop} versions={control} />
    );
  }
  if (!message) return null;
  return (
    <MessageBubble
      key={message.id}
      message={message}
      mine={false}
      authorName={authorName}
      onRegenerate={index === versions.length - 1 && !draft ? regenerate : undefined}
      versions={control}
    />
  );
}
