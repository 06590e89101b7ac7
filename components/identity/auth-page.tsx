import Link from "next/link";
import { AppFrame } from "@/components/chat/app-frame";
import { Panel } from "@/components/ui/panel";
import type { Identity } from "@/lib/shared/contracts/identity";
import { AuthForm, type AuthMode } from "./auth-form";

/**
 * The sign-in or sign-up page for the identity the server resolved from the cookies (never
 * creating one). A member is told they are signed in already.
 */
export function AuthPage({ mode, identity }: { mode: AuthMode; identity: Identity | null }) {
  return (
    <AppFrame>
      <div className="app__center">
        {identity?.kind === "member" ? (
          <Panel title="You are signed in" testId="already-signed-in" role="status">
            <p>
              <Link className="link" href="/">
                Back to your conversations
              </Link>
            </p>
          </Panel>
        ) : (
          <AuthForm mode={mode} hasGuest={identity?.kind === "guest"} />
        )}
      </div>
    </AppFrame>
  );
}
