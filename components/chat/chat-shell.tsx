"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { AccountMenu } from "@/components/identity/account-menu";
import { GuestPending } from "@/components/identity/guest-pending";
import { IdentityBadge } from "@/components/identity/identity-badge";
import { IdentityNotice } from "@/components/identity/identity-notice";
import { ThemeSelect } from "@/components/identity/theme-select";
import type { StreamingDraft } from "@/lib/client/cache/channel-cache";
import type { IdentityStore, IdentityNotice as Notice } from "@/lib/client/identity/identity-store";
import { useAgents } from "@/lib/hooks/use-agents";
import { useAnswerActions } from "@/lib/hooks/use-answer-actions";
import { useChannel } from "@/lib/hooks/use-channel";
import { useMarkRead } from "@/lib/hooks/use-mark-read";
import { useMessagePushes } from "@/lib/hooks/use-message-pushes";
import { usePageVisible } from "@/lib/hooks/use-page-visible";
import { usePreferences } from "@/lib/hooks/use-preferences";
import { useRealtime } from "@/lib/hooks/use-realtime";
import { useSendMessage } from "@/lib/hooks/use-send-message";
import type { GuestSessionResponse } from "@/lib/shared/contracts/guest-session";
import type { ChatMessage } from "@/lib/shared/realtime/events";
import { AgentList } from "./agent-list";
import { AppFrame } from "./app-frame";
import { Composer } from "./composer";
import { ConnectionBanner } from "./connection-banner";
import { Transcript } from "./transcript";

const NO_MESSAGES: ChatMessage[] = [];
const NO_DRAFTS: StreamingDraft[] = [];

export interface ChatShellProps {
  session: GuestSessionResponse;
  store: IdentityStore;
  notice: Notice | null;
  onDismissNotice: () => void;
}

/** Sending needs an open conversation; once one is open, messages typed offline are queued. */
function toDisabledReason(connected: boolean, hasAgent: boolean, joined: boolean): string | null {
  if (!hasAgent) return connected ? "Choose an agent to start" : "Waiting for the connection…";
  if (!joined) return connected ? "Opening the conversation…" : "Waiting for the connection…";
  return null;
}

/** The chat for one identity: agents on the side, the open conversation and its composer. */
export function ChatShell({ session, store, notice, onDismissNotice }: ChatShellProps) {
  const { userId } = session;
  const realtime = useRealtime(userId, store);
  const connected = realtime.state === "connected";
  // docs/design.md, client invariant 4: channels are built and joined only with a token that
  // is this identity's; a socket holding anyone else's re-syncs the identity and never joins.
  const ownsToken = realtime.socketUserId === userId;
  useEffect(() => {
    if (realtime.socketUserId !== null && realtime.socketUserId !== userId) {
      void store.resync("identity_changed");
    }
  }, [realtime.socketUserId, userId, store]);
  const live = connected && ownsToken;
  const visible = usePageVisible();
  const [chosenId, setChosenId] = useState<string | null>(null);
  const reading = useRef<{ agentId: string | null; visible: boolean }>({ agentId: null, visible });
  const agents = useAgents(
    realtime.socket,
    userId,
    live,
    (id) => reading.current.visible && reading.current.agentId === id,
  );
  const prefs = usePreferences(realtime.socket, userId, live);

  const agentList = agents.agents;
  // The first agent is open until the visitor picks one, so they can type straight away;
  // it stays open when a star re-sorts the list.
  const agent = agentList.find((a) => a.id === chosenId) ?? agentList[0] ?? null;
  const agentId = agent?.id ?? null;
  useEffect(() => {
    if (chosenId === null && agentId !== null) setChosenId(agentId);
  }, [chosenId, agentId]);
  reading.current = { agentId, visible };
  const agentNames = useMemo(() => new Map(agentList.map((a) => [a.id, a.name])), [agentList]);

  useMessagePushes(realtime.socket, userId, agentId);
  const channel = useChannel({
    socket: realtime.socket,
    userId,
    agentId,
    connected: live,
  });
  const messages = channel.data?.messages ?? NO_MESSAGES;
  useMarkRead({ agent, messages, active: live && visible, markRead: agents.markRead });
  const joinedChannel = channel.data?.channel ?? null;
  const sender = useSendMessage({
    socket: realtime.socket,
    userId,
    agentId,
    channel: joinedChannel,
    messages,
  });
  const answers = useAnswerActions(realtime.socket, userId, agentId);
  const allowance = channel.data?.allowance ?? null;

  return (
    <AppFrame
      status={realtime.state}
      identity={
        <>
          <ThemeSelect
            theme={prefs.preferences.theme}
            disabled={!prefs.ready}
            onChange={(theme) => prefs.update({ theme })}
          />
          <IdentityBadge userId={userId} kind={session.kind} email={session.email} />
          <AccountMenu userId={userId} kind={session.kind} />
        </>
      }
    >
      <div className="grid h-full grid-cols-[300px_minmax(0,1fr)] max-md:grid-cols-[minmax(0,1fr)] max-md:grid-rows-[auto_minmax(0,1fr)]">
        <AgentList
          agents={agentList}
          status={agents.status}
          selectedId={agentId}
          onSelect={setChosenId}
          onToggleStar={agents.toggleStar}
          onRetry={() => void agents.refetch()}
        />
        <section
          className="flex min-h-0 min-w-0 flex-col bg-background"
          aria-labelledby="conversation-title"
        >
          <header className="border-b bg-card px-5 py-3.5 max-md:px-3 max-md:py-2">
            <h1 className="font-bold text-[1.05rem] leading-snug" id="conversation-title">
              {agent ? agent.name : "Foyer"}
            </h1>
            {agent ? (
              <p className="truncate text-muted-foreground text-sm max-md:hidden">
                {agent.description}
              </p>
            ) : null}
          </header>
          {notice ? <IdentityNotice notice={notice} onDismiss={onDismissNotice} /> : null}
          {session.guestPending ? <GuestPending /> : null}
          <ConnectionBanner
            state={realtime.state}
            error={realtime.error}
            onRetry={realtime.reconnect}
          />
          <Transcript
            userId={userId}
            agent={agent}
            agentNames={agentNames}
            status={agentId ? channel.status : "pending"}
            messages={messages}
            streaming={channel.data?.streaming ?? NO_DRAFTS}
            pending={sender.pending}
            onResend={sender.resend}
            onRetry={() => void channel.refetch()}
            onStop={answers.stop}
            onRegenerate={answers.regenerate}
            onSuggestion={(text) => void sender.send(text)}
            suggestionsDisabled={!connected || joinedChannel === null || allowance?.left === 0}
          />
          <Composer
            agentName={agent?.name ?? null}
            disabledReason={toDisabledReason(connected, agent !== null, joinedChannel !== null)}
            focusKey={agentId}
            onSend={sender.send}
            offline={!connected}
            allowance={allowance}
          />
        </section>
      </div>
    </AppFrame>
  );
}
