import { Button } from "@/components/ui/button";
import { Panel, PanelDetail } from "@/components/ui/panel";

export interface MergeFailedProps {
  message: string;
  onRetry: () => void;
  onContinue: () => void;
}

/**
 * The sign-in worked but the guest's conversations could not be moved yet. Nothing is lost:
 * the guest and its data stay as they were until a retry succeeds.
 */
export function MergeFailed({ message, onRetry, onContinue }: MergeFailedProps) {
  return (
    <Panel
      title="Your guest conversations are not in your account yet"
      tone="danger"
      testId="merge-failed"
      role="alert"
      actions={
        <>
          <Button onClick={onRetry} data-testid="merge-retry">
            Try again
          </Button>
          <Button variant="outline" onClick={onContinue}>
            Continue for now
          </Button>
        </>
      }
    >
      <p>You are signed in. Your guest conversations are kept safe and can be moved later.</p>
      <PanelDetail>{message}</PanelDetail>
    </Panel>
  );
}
