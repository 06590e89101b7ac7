"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { revokeSession, signOut } from "@/lib/client/api/auth";
import { verifyHandoff } from "@/lib/client/identity/handoff";
import { notifyIdentityChanged } from "@/lib/client/identity/tab-sync";
import type { SessionInfo } from "@/lib/shared/contracts/sessions";
import { describeUserAgent } from "@/lib/shared/user-agent";

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * A member's active sessions: device, started, last seen. Revoking one ends it on every
 * gateway node before the answer (its tabs learn within moments); revoking this one, or
 * signing out everywhere, signs this browser out too.
 */
export function SessionsList({ sessions, userId }: { sessions: SessionInfo[]; userId: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function leave(): Promise<void> {
    await verifyHandoff("sign_out", { notUserId: userId });
    notifyIdentityChanged(null);
    window.location.assign("/");
  }

  async function onRevoke(session: SessionInfo) {
    setBusy(session.id);
    const result = await revokeSession(session.id);
    setBusy(null);
    if (result.kind === "error") return setMessage(result.message);
    if (session.current) return leave();
    setMessage(
      result.data.status === "pending"
        ? "Ended. One server has not confirmed yet; it will within moments."
        : "Ended on every device.",
    );
    router.refresh();
  }

  async function onSignOutEverywhere() {
    setBusy("everywhere");
    const result = await signOut({ everywhere: true });
    setBusy(null);
    if (result.kind === "error") return setMessage(result.message);
    await leave();
  }

  return (
    <Card asChild className="max-w-140">
      <section aria-labelledby="sessions-title" data-testid="sessions">
        <CardHeader>
          <CardTitle id="sessions-title">Your sessions</CardTitle>
          <CardDescription>Every browser where you are signed in.</CardDescription>
        </CardHeader>
        {message ? (
          <p
            className="rounded-md bg-accent px-3 py-2.5 text-accent-foreground text-sm"
            role="status"
            data-testid="sessions-message"
          >
            {message}
          </p>
        ) : null}
        <ul className="grid gap-2">
          {sessions.map((session) => (
            <li
              key={session.id}
              className="flex items-center justify-between gap-4 rounded-md border p-3"
              data-testid="session-row"
              data-session-id={session.id}
              data-current={String(session.current)}
            >
              <div>
                <p className="flex flex-wrap items-center gap-1.5 font-semibold">
                  {describeUserAgent(session.userAgent)}
                  {session.current ? <Badge variant="tag">this browser</Badge> : null}
                </p>
                <p className="text-[0.8rem] text-muted-foreground">
                  Started {when(session.createdAt)} · last seen {when(session.lastSeenAt)}
                </p>
              </div>
              <Button
                variant="outline"
                size="sm"
                disabled={busy !== null}
                onClick={() => void onRevoke(session)}
                data-testid="session-revoke"
              >
                {session.current ? "Sign out" : "Revoke"}
              </Button>
            </li>
          ))}
        </ul>
        <CardFooter>
          <Button
            onClick={() => void onSignOutEverywhere()}
            disabled={busy !== null}
            data-testid="sign-out-everywhere"
          >
            Sign out everywhere
          </Button>
        </CardFooter>
      </section>
    </Card>
  );
}
