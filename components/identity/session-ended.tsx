import { Button } from "@/components/ui/button";
import { Panel } from "@/components/ui/panel";

export interface SessionEndedProps {
  reason: "revoked" | "miss";
  onStart: () => void;
}

/** The guest session was revoked or is gone; starting again is the visitor's explicit choice. */
export function SessionEnded({ reason, onStart }: SessionEndedProps) {
  return (
    <Panel
      title="Your guest session has ended"
      testId="session-ended"
      role="status"
      actions={<Button onClick={onStart}>Start a new conversation</Button>}
    >
      <p>
        {reason === "revoked"
          ? "This guest session was signed out, so its conversations are no longer available here."
          : "We could not find your guest session on this device."}
      </p>
    </Panel>
  );
}
