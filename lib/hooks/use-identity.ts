"use client";

import { useEffect, useSyncExternalStore } from "react";
import { getIdentityStore, startIdentityOnce } from "@/lib/client/identity/browser-identity";
import type { IdentityState } from "@/lib/client/identity/identity-store";

const LOADING: IdentityState = { status: "loading" };

/**
 * The visitor's identity (see lib/client/identity/identity-store.ts). On mount it asks `lookup_or_create`
 * (a POST after hydration, so crawlers that do not run scripts never mint guests). When the
 * tab becomes visible again or the network comes back, the cookies are re-read and any
 * derived state that went stale is rebuilt.
 */
export function useIdentity() {
  const store = getIdentityStore();
  const state = useSyncExternalStore(store.subscribe, store.getState, () => LOADING);

  useEffect(() => {
    if (store.getState().status === "loading") void startIdentityOnce();
    const onVisible = () => {
      if (document.visibilityState === "visible") void store.checkFreshness({ force: true });
    };
    const onOnline = () => void store.checkFreshness({ force: true });
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("online", onOnline);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("online", onOnline);
    };
  }, [store]);

  return {
    state,
    store,
    retry: () => void store.start(0),
    dismissNotice: () => store.dismissNotice(),
  };
}
