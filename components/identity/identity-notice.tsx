import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import type { IdentityNotice as Notice } from "@/lib/client/identity/identity-store";

const TEXT: Record<Notice, string> = {
  signed_in_elsewhere: "You signed in in another tab, so this tab now shows your account.",
  signed_out_elsewhere: "You signed out in another tab. This tab starts afresh as a guest.",
  session_revoked: "This session was ended from another device. You are now chatting as a guest.",
  identity_changed: "This tab switched to the identity your browser holds now.",
};

/** Why this tab's identity just changed: it never changes silently. */
export function IdentityNotice({ notice, onDismiss }: { notice: Notice; onDismiss: () => void }) {
  return (
    <Banner tone="info" role="status" data-testid="identity-notice" data-notice={notice}>
      <span>{TEXT[notice]}</span>
      <Button variant="ghost" size="sm" onClick={onDismiss}>
        Dismiss
      </Button>
    </Banner>
  );
}
