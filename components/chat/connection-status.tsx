import type { ConnectionState } from "@/lib/client/realtime/realtime-connection";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  error: "Offline",
};

/** The live connection state as a small pill in the header; `data-state` is the raw state. */
export function ConnectionStatus({ state }: { state: ConnectionState }) {
  return (
    <output
      className={`connection-status connection-status--${state}`}
      data-testid="connection-status"
      data-state={state}
      aria-live="polite"
    >
      <span className="connection-status__dot" aria-hidden="true" />
      {LABELS[state]}
    </output>
  );
}
