import { AppCenter, AppFrame } from "@/components/chat/app-frame";
import { Panel } from "@/components/ui/panel";
import { TextLink } from "@/components/ui/text-link";
import type { Identity } from "@/lib/shared/contracts/identity";
import { AuthForm, type AuthMode } from "./auth-form";

/**
 * The sign-in or sign-up page for the identity the server resolved from the cookies (never
 * creating one). A member is told they are signed in already.
 */
export function AuthPage({ mode, identity }: { mode: AuthMode; identity: Identity | null }) {
  return (
    <AppFrame>
      <AppCenter>
        {identity?.kind === "member" ? (
          <Panel title="You are signed in" testId="already-signed-in" role="status">
            <p>
              <TextLink href="/">Back to your conversations</TextLink>
            </p>
          </Panel>
        ) : (
          <AuthForm mode={mode} hasGuest={identity?.kind === "guest"} />
        )}
      </AppCenter>
    </AppFrame>
  );
}
