/**
 * The browser's wiring of the identity store: this tab's guest-session client, query client
 * and tab-sync channel, created once per tab. Also publishes non-secret diagnostics (ids
 * and counters, never tokens) on `window.__foyerDiagnostics` for operators and tests.
 */
import { rotateSocketToken } from "../api/auth";
import { getQueryClient } from "../cache/query-client";
import { type ClientCounters, readClientCounters } from "../realtime/diagnostics";
import { getGuestSessionClient } from "./guest-session-client";
import { reportHandoffMismatch } from "./handoff";
import {
  createIdentityStore,
  type IdentityDiagnostics,
  type IdentityStore,
} from "./identity-store";
import { postTabMessage, subscribeTabMessages } from "./tab-sync";
import type { RotationResult } from "./token-manager";

declare global {
  interface Window {
    __foyerDiagnostics?: () => IdentityDiagnostics & ClientCounters;
  }
}

let store: IdentityStore | undefined;
let started: Promise<void> | undefined;

export function getIdentityStore(): IdentityStore {
  if (store) return store;
  const created = createIdentityStore({
    guestSessions: getGuestSessionClient(),
    queryClient: getQueryClient(),
    post: (message) => postTabMessage(message),
    reportHandoff: reportHandoffMismatch,
    rotate: async (token): Promise<RotationResult> => {
      const result = await rotateSocketToken(token);
      if (result.kind === "ok") {
        const { userId, socketToken, expiresAt } = result.data;
        return { kind: "rotated", token: { userId, socketToken, expiresAt } };
      }
      if (result.code === "conflict:rotation" || result.code === "unauthorized:session") {
        return { kind: "refetch" };
      }
      return { kind: "error", code: result.code, message: result.message };
    },
  });
  subscribeTabMessages((message) => created.receive(message));
  if (typeof window !== "undefined") {
    window.__foyerDiagnostics = () => ({ ...created.diagnostics(), ...readClientCounters() });
  }
  store = created;
  return created;
}

/**
 * The tab's cold start, once per page load: the chat page begins it while it is still
 * loading (components/chat/chat-app.tsx), any other page when its first component mounts.
 * Later starts (a retry, a wait for a merge) go through the store.
 */
export function startIdentityOnce(): Promise<void> {
  started ??= getIdentityStore().start();
  return started;
}
