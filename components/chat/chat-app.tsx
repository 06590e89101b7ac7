"use client";

import { SessionEnded } from "@/components/identity/session-ended";
import { SessionError } from "@/components/identity/session-error";
import { Panel } from "@/components/ui/panel";
import { Spinner } from "@/components/ui/spinner";
import { getIdentityStore, startIdentityOnce } from "@/lib/client/identity/browser-identity";
import { prepareRealtimeConnection } from "@/lib/client/realtime/realtime-connection";
import { preopenSocketTransport } from "@/lib/client/realtime/socket";
import { useIdentity } from "@/lib/hooks/use-identity";
import { AppCenter, AppFrame } from "./app-frame";
import { ChatShell } from "./chat-shell";

// The chat needs the visitor's identity and a socket: both start while the page hydrates
// (docs/benchmarks.md, B8). The transport carries no identity, so it need not wait for it;
// the socket connects as soon as the identity is known, and the chat takes it when it mounts.
if (typeof window !== "undefined") {
  preopenSocketTransport();
  const store = getIdentityStore();
  // Synchronously with the identity becoming ready, so before the chat can mount for it.
  const stop = store.subscribe(() => {
    if (store.getState().status !== "ready") return;
    stop();
    prepareRealtimeConnection(store);
  });
  void startIdentityOnce();
}

/**
 * The page's client root: resolves the visitor's identity, then renders the chat for it.
 * Keyed by user and identity epoch, so another identity remounts the whole chat (and its
 * socket) instead of mixing.
 */
export function ChatApp() {
  const { state, store, retry, dismissNotice } = useIdentity();

  if (state.status === "ready") {
    return (
      <ChatShell
        key={`${state.session.userId}:${state.epoch}`}
        session={state.session}
        store={store}
        notice={state.notice}
        onDismissNotice={dismissNotice}
      />
    );
  }

  return (
    <AppFrame status={state.status === "loading" ? "connecting" : "error"}>
      <AppCenter>
        {state.status === "loading" ? (
          <Panel title="Opening your conversation…" role="status">
            <Spinner />
          </Panel>
        ) : state.status === "error" ? (
          <SessionError code={state.code} message={state.message} onRetry={retry} />
        ) : (
          <SessionEnded reason={state.reason} onStart={retry} />
        )}
      </AppCenter>
    </AppFrame>
  );
}
