import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import type { StreamingDraft } from "@/lib/client/cache/channel-cache";
import type { PendingMessage } from "@/lib/client/realtime/outbox";
import { useStickToBottom } from "@/lib/hooks/use-stick-to-bottom";
import type { AgentSummary, ChatMessage } from "@/lib/shared/realtime/events";
import { MessageBubble, PendingBubble, StreamingBubble } from "./message";

const NOTE = "flex items-center justify-center gap-2 p-4 text-muted-foreground";

export interface TranscriptProps {
  userId: string;
  agent: AgentSummary | null;
  agentNames: ReadonlyMap<string, string>;
  status: "pending" | "error" | "success";
  messages: readonly ChatMessage[];
  streaming: readonly StreamingDraft[];
  pending: readonly PendingMessage[];
  onResend: (message: PendingMessage) => void;
  onRetry: () => void;
}

/** The open conversation: stored messages in server order, then streaming and unsent bubbles. */
export function Transcript(props: TranscriptProps) {
  const { userId, agent, agentNames, status, messages, streaming, pending, onResend, onRetry } =
    props;
  const lastText = streaming.map((d) => d.text.length).join(",");
  const { ref, onScroll } = useStickToBottom<HTMLDivElement>(
    `${agent?.id}:${messages.length}:${pending.length}:${streaming.length}:${lastText}`,
  );
  const nameOf = (authorId: string) => agentNames.get(authorId) ?? agent?.name ?? "Agent";
  const empty = messages.length === 0 && pending.length === 0 && streaming.length === 0;

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
        <div className="mx-auto mt-12 mb-4 max-w-105 text-center text-muted-foreground">
          <p className="mb-1 font-semibold text-foreground text-lg">Say hello to {agent.name}</p>
          <p>{agent.description}</p>
        </div>
      ) : null}
      <ol className="mx-auto flex max-w-190 flex-col gap-3">
        {messages.map((message) => (
          <MessageBubble
            key={message.id}
            message={message}
            mine={message.authorId === userId}
            authorName={nameOf(message.authorId)}
          />
        ))}
        {pending.map((message) => (
          <PendingBubble key={message.clientMessageId} message={message} onResend={onResend} />
        ))}
        {streaming.map((draft) => (
          <StreamingBubble
            key={draft.messageId}
            draft={draft}
            authorName={nameOf(draft.authorId)}
          />
        ))}
      </ol>
    </div>
  );
}
