import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
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
    <li className="agent-row" data-starred={String(agent.starred)}>
      <button
        type="button"
        className="agent-item"
        data-testid={`agent-item-${agent.id}`}
        data-streams={String(agent.streams)}
        aria-current={selected ? "true" : undefined}
        onClick={() => onSelect(agent.id)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(agent.name)}
        </span>
        <span className="agent-item__text">
          <span className="agent-item__name">
            {agent.name}
            {agent.streams ? (
              <span className="tag" title="Answers appear word by word as they are written">
                streams
              </span>
            ) : null}
          </span>
          {agent.latest ? (
            <span className="agent-item__description" data-testid={`agent-latest-${agent.id}`}>
              {agent.latest.authorKind === "user" ? "You: " : ""}
              {agent.latest.body}
            </span>
          ) : (
            <span className="agent-item__description">{agent.description}</span>
          )}
        </span>
        {agent.unread > 0 ? (
          <span className="agent-item__unread" data-testid={`agent-unread-${agent.id}`}>
            {agent.unread}
            <span className="visually-hidden"> unread</span>
          </span>
        ) : null}
      </button>
      <button
        type="button"
        className="star-toggle"
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
    <nav className="agent-list" aria-labelledby="agent-list-title" data-testid="agent-list">
      <h2 className="agent-list__title" id="agent-list-title">
        Agents
      </h2>
      {status === "pending" ? (
        <p className="agent-list__note">
          <Spinner /> Loading agents…
        </p>
      ) : status === "error" ? (
        <div className="agent-list__note" role="alert">
          <span>Could not load agents.</span>
          <Button variant="secondary" size="sm" onClick={onRetry}>
            Retry
          </Button>
        </div>
      ) : agents.length === 0 ? (
        <p className="agent-list__note">No agents are available right now.</p>
      ) : (
        <ul className="agent-list__items">
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
