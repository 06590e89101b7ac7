import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import type { StreamingDraft } from "@/lib/client/cache/channel-cache";
import type { PendingMessage } from "@/lib/client/realtime/outbox";
import { useStickToBottom } from "@/lib/hooks/use-stick-to-bottom";
import type { AgentSummary, ChatMessage } from "@/lib/shared/realtime/events";
import { AnswerGroup, MessageBubble, PendingBubble, StreamingBubble } from "./message";

const NOTE = "flex items-center justify-center gap-2 p-4 text-muted-foreground";

/**
 * A streaming draft as the transcript reads it: `replyTo` (the user message answered)
 * places a regenerated answer among its earlier versions.
 */
export type TranscriptDraft = StreamingDraft;

/** One row of the transcript: a user message, or an answer with all its versions. */
export type TranscriptItem =
  | { kind: "message"; message: ChatMessage }
  | {
      kind: "answer";
      /** The `replyTo` the versions share (an answer without one is a group of its own). */
      key: string;
      versions: ChatMessage[];
      draft: TranscriptDraft | null;
    };

/** The rows of a transcript, and the drafts that start an answer of their own. */
export interface TranscriptLayout {
  items: TranscriptItem[];
  /** Drafts that are not a new version of a stored answer, shown after everything. */
  loose: TranscriptDraft[];
  /** The key of the answer group holding the channel's last message, if that is an answer. */
  lastAnswerKey: string | null;
}

function toAnswerKey(message: ChatMessage): string {
  return message.replyTo ?? message.id;
}

/**
 * Groups the versions of each answer (the messages sharing a `replyTo`) where the first
 * of them stands, and puts each draft with the answer it is a new version of.
 */
export function toTranscriptLayout(
  messages: readonly ChatMessage[],
  streaming: readonly TranscriptDraft[],
): TranscriptLayout {
  const items: TranscriptItem[] = [];
  const groups = new Map<string, Extract<TranscriptItem, { kind: "answer" }>>();
  for (const message of messages) {
    if (message.authorKind !== "agent") {
      items.push({ kind: "message", message });
      continue;
    }
    const key = toAnswerKey(message);
    const group = groups.get(key);
    if (group) {
      group.versions.push(message);
    } else {
      const created = { kind: "answer" as const, key, versions: [message], draft: null };
      groups.set(key, created);
      items.push(created);
    }
  }
  const loose: TranscriptDraft[] = [];
  for (const draft of streaming) {
    const group = draft.replyTo === undefined ? undefined : groups.get(draft.replyTo);
    if (group && group.draft === null) group.draft = draft;
    else loose.push(draft);
  }
  const last = messages.at(-1);
  const lastAnswerKey = last && last.authorKind === "agent" ? toAnswerKey(last) : null;
  return { items, loose, lastAnswerKey };
}

/** Props of {@link Transcript}; the callbacks it passes down to the bubbles. */
export interface TranscriptProps {
  userId: string;
  agent: AgentSummary | null;
  agentNames: ReadonlyMap<string, string>;
  status: "pending" | "error" | "success";
  messages: readonly ChatMessage[];
  streaming: readonly TranscriptDraft[];
  pending: readonly PendingMessage[];
  onResend: (message: PendingMessage) => void;
  onRetry: () => void;
  /** Stops an answer being written (`generation:stop`). Without it, no Stop button. */
  onStop?: (messageId: string) => void;
  /**
   * Writes the channel's last answer again (`generation:regenerate`); also what Retry on a
   * failed or interrupted answer does. Without it, neither button.
   */
  onRegenerate?: (messageId: string) => void;
  /** Sends a suggestion of the empty conversation as a message. Without it, none are offered. */
  onSuggestion?: (text: string) => void;
  /** The suggestions cannot be sent right now (no allowance left, say). */
  suggestionsDisabled?: boolean;
}

interface EmptyConversationProps {
  agent: AgentSummary;
  onSuggestion?: (text: string) => void;
  disabled: boolean;
}

/** What a conversation without messages shows: who the agent is and what to ask it. */
function EmptyConversation({ agent, onSuggestion, disabled }: EmptyConversationProps) {
  // A server from before suggestions existed sends none.
  const suggestions = onSuggestion ? (agent.suggestions ?? []) : [];
  return (
    <div className="mx-auto mt-12 mb-4 max-w-105 text-center text-muted-foreground">
      <p className="mb-1 font-semibold text-foreground text-lg">Say hello to {agent.name}</p>
      <p>{agent.description}</p>
      {suggestions.length > 0 ? (
        <ul className="mt-4 flex flex-wrap justify-center gap-2" aria-label="Suggestions">
          {suggestions.map((text) => (
            <li key={text}>
              <Button
                variant="outline"
                size="sm"
                className="h-auto min-h-8 whitespace-normal py-1.5 text-left"
                disabled={disabled}
                onClick={() => onSuggestion?.(text)}
                data-testid="suggestion"
              >
                {text}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The open conversation: stored messages in server order, then streaming and unsent bubbles. */
export function Transcript(props: TranscriptProps) {
  const { userId, agent, agentNames, status, messages, streaming, pending, onResend, onRetry } =
    props;
  const { onStop, onRegenerate, onSuggestion, suggestionsDisabled = false } = props;
  const lastText = streaming.map((d) => d.text.length).join(",");
  const { ref, onScroll } = useStickToBottom<HTMLDivElement>(
    `${agent?.id}:${messages.length}:${pending.length}:${streaming.length}:${lastText}`,
  );
  const nameOf = (authorId: string) => agentNames.get(authorId) ?? agent?.name ?? "Agent";
  const empty = messages.length === 0 && pending.length === 0 && streaming.length === 0;
  const { items, loose, lastAnswerKey } = toTranscriptLayout(messages, streaming);
  // Only the channel's last answer can be written again, and not while another is written
  // or a message of the user's waits for its answer.
  const regenerableKey = streaming.length === 0 && pending.length === 0 ? lastAnswerKey : null;

  return (
    <div
      className="min-h-0 flex-auto scroll-smooth overflow-y-auto p-5 max-md:p-3"
      data-testid="transcript"
      role="log"
      aria-label={agent ? `Conversation with ${agent.name}` : "Conversation"}
      aria-live="polite"
      aria-relevant="additions"
      ref={ref}
      onScroll={onScroll}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
      tabIndex={0}
    >
      {status === "pending" && empty ? (
        <p className={NOTE}>
          <Spinner /> Loading conversation…
        </p>
      ) : null}
      {status === "error" ? (
        <div className={NOTE} role="alert">
          <span>We could not open this conversation.</span>
          <Button variant="outline" size="sm" onClick={onRetry}>
            Retry
          </Button>
        </div>
      ) : null}
      {status === "success" && empty && agent ? (
        <EmptyConversation
          agent={agent}
          onSuggestion={onSuggestion}
          disabled={suggestionsDisabled}
        />
      ) : null}
      <ol className="mx-auto flex max-w-190 flex-col gap-3">
        {items.map((item) =>
          item.kind === "message" ? (
            <MessageBubble
              key={`message:${item.message.id}`}
              message={item.message}
              mine={item.message.authorId === userId}
              authorName={nameOf(item.message.authorId)}
            />
          ) : (
            // Keyed by the user message answered: it would clash with that message's own key.
            <AnswerGroup
              key={`answer:${item.key}`}
              versions={item.versions}
              draft={item.draft}
              authorName={nameOf(item.versions[0]?.authorId ?? "")}
              onRegenerate={item.key === regenerableKey ? onRegenerate : undefined}
              onStop={onStop}
            />
          ),
        )}
        {pending.map((message) => (
          <PendingBubble key={message.clientMessageId} message={message} onResend={onResend} />
        ))}
        {loose.map((draft) => (
          <StreamingBubble
            key={draft.messageId}
            draft={draft}
            authorName={nameOf(draft.authorId)}
            onStop={onStop}
          />
        ))}
      </ol>
    </div>
  );
}
