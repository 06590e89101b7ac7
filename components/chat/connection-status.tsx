import { cva } from "class-variance-authority";
import type { ConnectionState } from "@/lib/client/realtime/realtime-connection";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  error: "Offline",
};

const pillVariants = cva(
  "inline-flex items-center gap-1.5 whitespace-nowrap rounded-full bg-muted px-2.5 py-0.5 font-semibold text-[0.8rem] max-md:gap-0 max-md:p-2 max-md:text-[0px]",
  {
    variants: {
      state: {
        connecting: "text-warning",
        connected: "text-success",
        reconnecting: "text-warning",
        error: "bg-destructive-subtle text-destructive",
      },
    },
  },
);

const dotVariants = cva("size-2 rounded-full bg-current", {
  variants: {
    state: {
      connecting: "animate-pulse",
      connected: "",
      reconnecting: "animate-pulse",
      error: "",
    },
  },
});

/** The live connection state as a small pill in the header; `data-state` is the raw state. */
export function ConnectionStatus({ state }: { state: ConnectionState }) {
  return (
    <output
      className={pillVariants({ state })}
      data-testid="connection-status"
      data-state={state}
      aria-live="polite"
    >
      <span className={dotVariants({ state })} aria-hidden="true" />
      {LABELS[state]}
    </output>
  );
}
