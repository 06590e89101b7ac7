"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { signOut } from "@/lib/client/api/auth";
import { getIdentityStore } from "@/lib/client/identity/browser-identity";
import { verifyHandoff } from "@/lib/client/identity/handoff";
import { notifyIdentityChanged } from "@/lib/client/identity/tab-sync";
import type { IdentityKind } from "@/lib/shared/contracts/identity";

export interface AccountMenuProps {
  userId: string;
  kind: IdentityKind;
}

const NAV = "flex items-center gap-2";
/** On a narrow screen the header keeps only the main action. */
const WIDE_ONLY = "max-md:hidden";

/** Sign-in and sign-up for a guest; sign-out for a member. */
export function AccountMenu({ userId, kind }: AccountMenuProps) {
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);

  if (kind === "guest") {
    return (
      <nav className={NAV} aria-label="Account">
        <Button asChild variant="ghost" size="sm" className={WIDE_ONLY}>
          <Link href="/sessions" data-testid="sessions-link">
            Session
          </Link>
        </Button>
        <Button asChild variant="ghost" size="sm" className={WIDE_ONLY}>
          <Link href="/sign-in" data-testid="sign-in-link">
            Sign in
          </Link>
        </Button>
        <Button asChild size="sm">
          <Link href="/sign-up" data-testid="sign-up-link">
            Sign up
          </Link>
        </Button>
      </nav>
    );
  }

  async function onSignOut() {
    setPending(true);
    setFailed(false);
    const result = await signOut();
    if (result.kind === "error") {
      setPending(false);
      setFailed(true);
      return;
    }
    // The session ended server-side before the answer; confirm the cookies agree, then go.
    const verified = await verifyHandoff("sign_out", { notUserId: userId });
    if (verified.kind !== "verified") {
      // The browser still holds the member: say so, and re-sync from the cookies.
      setPending(false);
      setFailed(true);
      void getIdentityStore().resync("identity_changed");
      return;
    }
    notifyIdentityChanged(null);
    window.location.assign("/");
  }

  return (
    <nav className={NAV} aria-label="Account">
      <Button asChild variant="ghost" size="sm" className={WIDE_ONLY}>
        <Link href="/sessions" data-testid="sessions-link">
          Sessions
        </Link>
      </Button>
      <Button
        variant="outline"
        size="sm"
        onClick={() => void onSignOut()}
        disabled={pending}
        data-testid="sign-out"
      >
        {failed ? "Sign out failed, retry" : "Sign out"}
      </Button>
    </nav>
  );
}
