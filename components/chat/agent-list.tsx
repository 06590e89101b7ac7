import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { toLatestLineText } from "@/lib/client/cache/agents";
import type { AgentListing } from "@/lib/shared/realtime/events";

export interface AgentListProps {
  /** Already in display order (starred first). */
  agents: readonly AgentListing[];
  status: "pending" | "error" | "success";
  selectedId: string | null;
  onSelect: (agentId: string) => void;
  onToggleStar: (agentId: string, starred: boolean) => void;
  onRetry: () => void;
}

const DESCRIPTION = "line-clamp-2 text-[0.825rem] text-muted-foreground max-md:hidden";

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase())
    .join("");
}

function AgentItem({
  agent,
  selected,
  onSelect,
  onToggleStar,
}: {
  agent: AgentListing;
  selected: boolean;
  onSelect: (id: string) => void;
  onToggleStar: (id: string, starred: boolean) => void;
}) {
  return (
    <li className="relative max-md:shrink-0" data-starred={String(agent.starred)}>
      <button
        type="button"
        className="group flex w-full cursor-pointer items-start gap-3 rounded-md border border-transparent py-2.5 pr-10 pl-3 text-left hover:bg-muted aria-[current=true]:border-primary/25 aria-[current=true]:bg-accent max-md:w-auto max-md:items-center max-md:whitespace-nowrap max-md:rounded-full max-md:border-border max-md:py-1.5 max-md:pl-1.5"
        data-testid={`agent-item-${agent.id}`}
        data-streams={String(agent.streams)}
        aria-current={selected ? "true" : undefined}
        onClick={() => onSelect(agent.id)}
      >
        <Avatar className="max-md:size-7" aria-hidden="true">
          <AvatarFallback className="group-aria-[current=true]:bg-card">
            {initials(agent.name)}
          </AvatarFallback>
        </Avatar>
        <span className="grid min-w-0 flex-1">
          <span className="font-semibold">
            {agent.name}
            {agent.streams ? (
              <Badge
                variant="tag"
                className="ml-1.5 align-[0.1em]"
                title="Answers appear word by word as they are written"
              >
                streams
              </Badge>
            ) : null}
          </span>
          {agent.latest ? (
            <span className={DESCRIPTION} data-testid={`agent-latest-${agent.id}`}>
              {agent.latest.authorKind === "user" ? "You: " : ""}
              {toLatestLineText(agent.latest)}
            </span>
          ) : (
            <span className={DESCRIPTION}>{agent.description}</span>
          )}
        </span>
        {agent.unread > 0 ? (
          <Badge variant="count" className="self-center" data-testid={`agent-unread-${agent.id}`}>
            {agent.unread}
            <span className="sr-only"> unread</span>
          </Badge>
        ) : null}
      </button>
      <button
        type="button"
        className="absolute top-2 right-2 grid size-7.5 cursor-pointer place-items-center rounded-full text-lg text-muted-foreground leading-none hover:bg-muted aria-pressed:text-star max-md:top-1/2 max-md:-translate-y-1/2"
        aria-pressed={agent.starred}
        aria-label={agent.starred ? `Unstar ${agent.name}` : `Star ${agent.name}`}
        title={agent.starred ? "Starred: shown first" : "Star to show first"}
        data-testid={`agent-star-${agent.id}`}
        onClick={() => onToggleStar(agent.id, !agent.starred)}
      >
        <span aria-hidden="true">{agent.starred ? "★" : "☆"}</span>
      </button>
    </li>
  );
}

/** The agents a visitor can talk to; choosing one opens the direct channel with it. */
export function AgentList({
  agents,
  status,
  selectedId,
  onSelect,
  onToggleStar,
  onRetry,
}: AgentListProps) {
  return (
    <nav
      className="flex min-h-0 flex-col border-r bg-card max-md:border-r-0 max-md:border-b"
      aria-labelledby="agent-list-title"
      data-testid="agent-list"
    >
      <h2
        className="px-5 pt-4 pb-2 font-bold text-muted-foreground text-xs uppercase tracking-wider max-md:px-3 max-md:pt-2.5 max-md:pb-1"
        id="agent-list-title"
      >
        Agents
      </h2>
      {status === "pending" ? (
        <p className="flex items-center gap-2 px-5 py-2 text-muted-foreground text-sm">
          <Spinner /> Loading agents…
        </p>
      ) : status === "error" ? (
        <div
          className="flex flex-wrap items-center gap-2 px-5 py-2 text-muted-foreground text-sm"
          role="alert"
        >
          <span>Could not load agents.</span>
          <Button variant="outline" size="sm" onClick={onRetry}>
            Retry
          </Button>
        </div>
      ) : agents.length === 0 ? (
        <p className="px-5 py-2 text-muted-foreground text-sm">
          No agents are available right now.
        </p>
      ) : (
        <ul className="grid gap-0.5 overflow-y-auto px-2 pb-4 max-md:flex max-md:gap-1.5 max-md:overflow-x-auto max-md:overflow-y-hidden max-md:px-3 max-md:pb-2.5">
          {agents.map((agent) => (
            <AgentItem
              key={agent.id}
              agent={agent}
              selected={agent.id === selectedId}
              onSelect={onSelect}
              onToggleStar={onToggleStar}
            />
          ))}
        </ul>
      )}
    </nav>
  );
}
