/**
 * The typed Socket.IO event maps shared by the gateway and the browser client.
 * Client→server events are `noun:verb` and always take an ack; server→client events
 * are `noun:past`.
 */

import type { Preferences } from "../preferences";

export type AckOk<T> = { status: "OK"; data: T };
export type AckError = {
  status: "ERROR";
  code: RealtimeErrorCode;
  message: string;
  /** With `rate_limited:socket`: how long to wait before sending again. */
  retryAfterMs?: number;
};
export type Ack<T> = AckOk<T> | AckError;
export type AckCallback<T> = (ack: Ack<T>) => void;

export type RealtimeErrorCode =
  | "bad_request:payload"
  | "forbidden:channel"
  | "unauthorized:token"
  | "revoked:session"
  /** The session's tokens were rotated: fetch the current token, `token:refresh`, retry. */
  | "stale:token"
  | "not_found:agent"
  | "rate_limited:socket"
  /** The user's messages for the day are used up (a guest can sign up for more). */
  | "quota_exceeded:daily_messages"
  /** This agent's allowance for the day is used up (see `Allowance`). */
  | "quota_exceeded:agent_messages"
  /** Too many answers are being written for this user at once: wait or stop one. */
  | "quota_exceeded:concurrent_generations"
  /** No such message in the user's channel (stop, regenerate). */
  | "not_found:message"
  /** The request does not fit the conversation's state (regenerate while an answer runs). */
  | "conflict:generation"
  /** This node is shutting down: the socket reconnects to another and sends again. */
  | "unavailable:node"
  | "internal:server";

export interface AgentSummary {
  id: string;
  name: string;
  description: string;
  /** True when the agent streams its answers (`message:delta` before `message:created`). */
  streams: boolean;
  /** Prompts an empty conversation offers to click. */
  suggestions: string[];
}

/** How an agent answer ended; absent (null) on user messages. */
export type AnswerStatus = "complete" | "stopped" | "failed" | "interrupted";

/**
 * What is left of one agent's daily allowance for the user (null in answers: no allowance
 * applies). A guest also sees what a member gets, to decide whether to sign up.
 */
export interface Allowance {
  agentId: string;
  kind: "guest" | "member";
  limit: number;
  left: number;
  /** For a guest: the member allowance of this agent. */
  memberLimit: number | null;
}

/** The latest message of a channel, cut to an excerpt, for the agent list. */
export interface LatestLine {
  id: string;
  seq: number;
  body: string;
  authorKind: "user" | "agent";
  createdAt: string;
}

/** One direct channel's state for its user: unread agent messages and the latest line. */
export interface ChannelSummary {
  unread: number;
  /** The seq through which the user has read. */
  readSeq: number;
  latest: LatestLine | null;
}

/** An agent as one user sees it in `agent:list`. */
export interface AgentListing extends AgentSummary, ChannelSummary {
  /** The user starred this agent (starred agents sort first). */
  starred: boolean;
}

export interface ChannelReadPayload {
  agentId: string;
  /** Everything through this seq has been seen. */
  seq: number;
}

/** A channel's read state changed (in any tab of the user). */
export interface ChannelReadState {
  agentId: string;
  readSeq: number;
  unread: number;
}

export interface StarSetPayload {
  agentId: string;
  starred: boolean;
}

export interface StarState {
  agentId: string;
  starred: boolean;
}

export interface ChatMessage {
  id: string;
  channel: string;
  /** Server-assigned, strictly increasing per channel, starting at 1. */
  seq: number;
  /** Set on messages a user sent; the same value on a resend returns the stored message. */
  clientMessageId: string | null;
  authorId: string;
  authorKind: "user" | "agent";
  body: string;
  /** ISO-8601. */
  createdAt: string;
  /** Agent answers: how it ended. Null on user messages. */
  status: AnswerStatus | null;
  /** With `failed` or `interrupted`: a short reason a person can read. */
  note: string | null;
  /** Agent answers: the id of the user message answered (a regenerated answer shares it). */
  replyTo: string | null;
}

/** An answer still being written, as far as it got: a tab that (re)joins continues from it. */
export interface GenerationSnapshot {
  channel: string;
  messageId: string;
  authorId: string;
  replyTo: string;
  /** The text so far; pushes continue at `text.length`. */
  text: string;
}

export interface ChannelJoinPayload {
  agentId: string;
  /** Return only messages with seq greater than this (default 0: the whole history). */
  after?: number;
}
export interface ChannelJoinResult {
  channel: string;
  messages: ChatMessage[];
  /** Answers being written in the channel right now, as far as they got. */
  generations: GenerationSnapshot[];
  allowance: Allowance | null;
}

export interface ChannelHistoryPayload {
  channel: string;
  after: number;
  limit?: number;
}
export interface ChannelHistoryResult {
  channel: string;
  messages: ChatMessage[];
}

export interface MessageSendPayload {
  channel: string;
  clientMessageId: string;
  body: string;
}

/**
 * New text of an answer being written: append-only, `text` starts at `offset` of the answer.
 * A client that holds fewer than `offset` characters missed a push and asks for a snapshot
 * (`generation:snapshot`); one that holds more keeps only the part beyond what it has. Only
 * the first push (offset 0) says where the answer belongs; later pushes are matched by id
 * (a tab that knows no answer with that id asks for its snapshot).
 */
export interface MessageDelta {
  /** Id of the agent message being produced; the final `message:created` carries the same id. */
  messageId: string;
  offset: number;
  text: string;
  /** First push only: the channel, the agent, and the user message answered. */
  channel?: string;
  authorId?: string;
  replyTo?: string;
}

export interface GenerationRefPayload {
  messageId: string;
}

export interface GenerationRegeneratePayload {
  /** The answer to write again: the channel's last, not still being written. */
  messageId: string;
}

export interface TokenRefreshPayload {
  token: string;
}

export interface ClientToServerEvents {
  "agent:list": (
    payload: Record<string, never>,
    ack: AckCallback<{ agents: AgentListing[] }>,
  ) => void;
  "star:set": (payload: StarSetPayload, ack: AckCallback<StarState>) => void;
  "channel:read": (payload: ChannelReadPayload, ack: AckCallback<ChannelReadState>) => void;
  "preferences:get": (
    payload: Record<string, never>,
    ack: AckCallback<{ preferences: Preferences }>,
  ) => void;
  "preferences:update": (
    payload: Partial<Preferences>,
    ack: AckCallback<{ preferences: Preferences }>,
  ) => void;
  "channel:join": (payload: ChannelJoinPayload, ack: AckCallback<ChannelJoinResult>) => void;
  "channel:history": (
    payload: ChannelHistoryPayload,
    ack: AckCallback<ChannelHistoryResult>,
  ) => void;
  "message:send": (
    payload: MessageSendPayload,
    ack: AckCallback<{ message: ChatMessage; allowance: Allowance | null }>,
  ) => void;
  /** Stops an answer being written (from any tab, on any node): it ends `stopped`. */
  "generation:stop": (
    payload: GenerationRefPayload,
    ack: AckCallback<{ stopping: boolean }>,
  ) => void;
  /** The text so far of an answer being written (null: it ended; its message is stored). */
  "generation:snapshot": (
    payload: GenerationRefPayload,
    ack: AckCallback<{ generation: GenerationSnapshot | null }>,
  ) => void;
  /** Writes the channel's last answer again; the earlier one stays as a previous version. */
  "generation:regenerate": (
    payload: GenerationRegeneratePayload,
    ack: AckCallback<{ messageId: string; allowance: Allowance | null }>,
  ) => void;
  "token:refresh": (payload: TokenRefreshPayload, ack: AckCallback<{ expiresAt: string }>) => void;
}

export interface ServerToClientEvents {
  "message:created": (message: ChatMessage) => void;
  "message:delta": (delta: MessageDelta) => void;
  "session:revoked": (info: { reason: string }) => void;
  /** The session's tokens were rotated elsewhere: fetch the current one and refresh in place. */
  "session:rotated": (info: { generation: number }) => void;
  /** The node lost messages it should have relayed (e.g. Redis restarted): re-sync channels. */
  "sync:required": () => void;
  /** A star changed in another tab (or this one) of the same user. */
  "star:updated": (state: StarState) => void;
  /** The user read a channel (in this tab or another): its unread count changed. */
  "channel:updated": (state: ChannelReadState) => void;
  "preferences:updated": (preferences: Preferences) => void;
}

export interface InterServerEvents {
  /**
   * What a node's users spent of their socket budgets in the last moment (user → class →
   * tokens): every other node takes it off those users' buckets, so a user's budget is one
   * across the nodes.
   */
  "budget:spent": (report: Record<string, Partial<Record<string, number>>>) => void;
  /**
   * A rotate or revoke; every node applies it, then acknowledges with its node id (false:
   * the change was malformed and not applied), so the sender can tell which nodes confirmed.
   */
  "session:generation": (
    update: { sessionId: string; generation: number; revoked: boolean; reason?: string },
    ack: (appliedBy: string | false) => void,
  ) => void;
  /** Stop this answer: the node writing it aborts it (the others ignore it). */
  "answer:stop": (messageId: string) => void;
  /** The text so far of this answer: the node writing it answers, the others answer null. */
  "answer:snapshot": (
    messageId: string,
    ack: (snapshot: GenerationSnapshot | null) => void,
  ) => void;
}

/** Per-socket state the gateway keeps after the handshake verified the token. */
export interface SocketData {
  userId: string;
  sessionId: string;
  kind: "guest" | "member";
  generation: number;
  tokenExpiresAt: number;
  /** Server-side only: the key of the client's address (per-address guest allowances). */
  addressKey?: string;
  /** Server-side only: the socket's budget state (lib/server/realtime/budgets.ts). */
  budget?: {
    buckets: Partial<Record<string, { tokens: number; at: number }>>;
    inFlight: number;
    refusedInRow?: number;
  };
}

export const MESSAGE_BODY_MAX_LENGTH = 4000;
