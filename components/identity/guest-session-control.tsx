"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Panel } from "@/components/ui/panel";
import { endGuestSession } from "@/lib/client/api/auth";
import { verifyHandoff } from "@/lib/client/identity/handoff";
import { notifyIdentityChanged } from "@/lib/client/identity/tab-sync";

/** A guest can end its own session: its conversations are then gone from this browser. */
export function GuestSessionControl({ userId }: { userId: string }) {
  const [state, setState] = useState<"idle" | "ending" | "failed">("idle");
  async function onEnd() {
    setState("ending");
    const result = await endGuestSession();
    if (result.kind === "error") return setState("failed");
    await verifyHandoff("guest_revoked", { notUserId: userId });
    notifyIdentityChanged(null);
    window.location.assign("/");
  }
  return (
    <Panel
      title="You are chatting as a guest"
      testId="guest-session-control"
      actions={
        <>
          <Button variant="outline" onClick={() => void onEnd()} disabled={state === "ending"}>
            End guest session
          </Button>
          <Button asChild>
            <Link href="/sign-up">Keep it: sign up</Link>
          </Button>
        </>
      }
    >
      <p>Ending the guest session deletes its conversations from this browser.</p>
      {state === "failed" ? <p role="alert">Could not end it. Try again.</p> : null}
    </Panel>
  );
}
