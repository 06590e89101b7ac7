import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import type { ConnectionState } from "@/lib/client/realtime/realtime-connection";

export interface ConnectionBannerProps {
  state: ConnectionState;
  error: string | null;
  onRetry: () => void;
}

/** Says why the composer is disabled while the socket is not connected; hidden when it is. */
export function ConnectionBanner({ state, error, onRetry }: ConnectionBannerProps) {
  if (state === "connected") return null;
  if (state === "error") {
    return (
      <Banner tone="danger" role="alert" data-testid="connection-banner">
        <span>{error ? `Connection failed: ${error}` : "Connection failed."}</span>
        <Button variant="outline" size="sm" onClick={onRetry}>
          Try again
        </Button>
      </Banner>
    );
  }
  return (
    <Banner tone="info" data-testid="connection-banner">
      <Spinner />
      <span>
        {state === "reconnecting"
          ? "Connection lost. Reconnecting… Messages you missed will appear."
          : "Connecting to chat…"}
      </span>
    </Banner>
  );
}
