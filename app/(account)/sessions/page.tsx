import type { Metadata } from "next";
import { AppCenter, AppFrame } from "@/components/chat/app-frame";
import { GuestSessionControl } from "@/components/identity/guest-session-control";
import { SessionsList } from "@/components/identity/sessions-list";
import { Panel } from "@/components/ui/panel";
import { TextLink } from "@/components/ui/text-link";
import { listMemberSessions } from "@/lib/server/web/authority-client/list-member-sessions";
import { getIdentity } from "@/lib/server/web/identity/dal";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sessions · Foyer" };

/** Every active session of a member (revoke one, sign out everywhere); a guest can end its own. */
export default async function SessionsPage() {
  const identity = await getIdentity();
  const sessions = identity?.kind === "member" ? await listMemberSessions() : null;
  return (
    <AppFrame>
      <AppCenter>
        {identity?.kind === "member" && sessions ? (
          <SessionsList sessions={sessions} userId={identity.userId} />
        ) : identity?.kind === "guest" ? (
          <GuestSessionControl userId={identity.userId} />
        ) : (
          <Panel title="No active session" testId="no-session" role="status">
            <p>
              <TextLink href="/">Start a conversation</TextLink>
            </p>
          </Panel>
        )}
      </AppCenter>
    </AppFrame>
  );
}
