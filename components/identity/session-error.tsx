import { Button } from "@/components/ui/button";
import { Panel, PanelDetail } from "@/components/ui/panel";

export interface SessionErrorProps {
  code: string;
  message: string;
  onRetry: () => void;
}

function toHeadline(code: string): string {
  if (code.startsWith("handoff:")) return "Your browser did not keep your session";
  if (code.startsWith("rate_limited")) return "Too many new visitors from your network";
  if (code.endsWith(":client")) return "We could not reach Foyer";
  return "Foyer is temporarily unavailable";
}

/**
 * The guest session could not be looked up or created. We say so and offer a retry; we
 * never fall back to a silent new guest, which would lose the visitor's conversations.
 */
export function SessionError({ code, message, onRetry }: SessionErrorProps) {
  return (
    <Panel
      title={toHeadline(code)}
      tone="danger"
      testId="session-error"
      role="alert"
      actions={<Button onClick={onRetry}>Retry</Button>}
    >
      <p>
        {code.startsWith("handoff:")
          ? message
          : "Your conversations are safe. Please try again in a moment."}
      </p>
      <PanelDetail>
        Error code: <code data-testid="session-error-code">{code}</code>
      </PanelDetail>
      <PanelDetail className="sr-only">{message}</PanelDetail>
    </Panel>
  );
}
