/** Pure helpers for the agent list as the query cache holds it. */

import { LATEST_LINE_MAX_LENGTH } from "../../shared/limits";
import type {
  AgentListing,
  ChannelReadState,
  ChatMessage,
  LatestLine,
  StarState,
} from "../../shared/realtime/events";

/** Starred agents first; otherwise the server's order (a stable sort). */
export function toDisplayOrder(agents: readonly AgentListing[]): AgentListing[] {
  return agents
    .map((agent, index) => ({ agent, index }))
    .sort((a, b) => Number(b.agent.starred) - Number(a.agent.starred) || a.index - b.index)
    .map(({ agent }) => agent);
}

function update(
  agents: AgentListing[] | undefined,
  agentId: string,
  change: (agent: AgentListing) => AgentListing,
): AgentListing[] | undefined {
  if (!agents) return agents;
  const index = agents.findIndex((a) => a.id === agentId);
  const agent = agents[index];
  if (!agent) return agents;
  const next = change(agent);
  return next === agent ? agents : agents.map((a, i) => (i === index ? next : a));
}

/** The list with one agent's star set; the same array when nothing changes. */
export function applyStar(agents: AgentListing[] | undefined, state: StarState) {
  return update(agents, state.agentId, (a) =>
    a.starred === state.starred ? a : { ...a, starred: state.starred },
  );
}

/**
 * A new message in the user's channel with `agentId`: it becomes the latest line, and an
 * agent's message not being read right now counts as unread. Idempotent per message.
 */
export function applyMessage(
  agents: AgentListing[] | undefined,
  agentId: string,
  message: ChatMessage,
  beingRead: boolean,
) {
  return update(agents, agentId, (a) => {
    if (a.latest && a.latest.seq >= message.seq) return a;
    const unseen = message.authorKind === "agent" && !beingRead && message.seq > a.readSeq;
    return {
      ...a,
      unread: a.unread + (unseen ? 1 : 0),
      latest: {
        id: message.id,
        seq: message.seq,
        body: message.body.slice(0, LATEST_LINE_MAX_LENGTH),
        authorKind: message.authorKind,
        createdAt: message.createdAt,
      },
    };
  });
}

/** Markdown marks that only shape text, each with what is left of it in a one-line preview. */
const MARKDOWN_MARKS: readonly [RegExp, string][] = [
  // A fence line (```ts) says only where code starts and ends.
  [/^\s*(```|~~~).*$/gm, ""],
  // Images and links keep their words: ![a cat](…) → a cat, [the docs](…) → the docs.
  [/!?\[([^\]]*)\]\([^)]*\)?/g, "$1"],
  // Headings, quotes, list bullets and numbers at the start of a line.
  [/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(\[[ xX]\]\s+)?|\d{1,9}[.)]\s+)/gm, ""],
  // Bold, italics and strikethrough with stars or tildes (underscores stay: snake_case).
  [/(\*{1,3}|~~)(\S(?:.*?\S)?)\1/g, "$2"],
  // Inline code keeps its text.
  [/`([^`]*)`/g, "$1"],
];

/**
 * The latest line as the agent list shows it, on one line: an agent's answer is markdown,
 * so its marks (`**bold**`, `- item`, fences, `[link](url)`) are dropped and its words kept;
 * what a person typed is shown as typed.
 */
export function toLatestLineText(latest: LatestLine): string {
  const text =
    latest.authorKind === "agent"
      ? MARKDOWN_MARKS.reduce((out, [mark, kept]) => out.replace(mark, kept), latest.body)
      : latest.body;
  return text.replace(/\s+/g, " ").trim();
}

/** The server's word on a channel's read state (from any tab of the user). */
export function applyReadState(agents: AgentListing[] | undefined, state: ChannelReadState) {
  return update(agents, state.agentId, (a) =>
    state.readSeq < a.readSeq ? a : { ...a, readSeq: state.readSeq, unread: state.unread },
  );
}
