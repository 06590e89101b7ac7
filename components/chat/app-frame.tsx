import Link from "next/link";
import type { ReactNode } from "react";
import type { ConnectionState } from "@/lib/client/realtime/realtime-connection";
import { ConnectionStatus } from "./connection-status";

export interface AppFrameProps {
  /** The socket's state; omitted on pages without a socket (sign-in, sign-up). */
  status?: ConnectionState;
  /** The identity badge; absent while there is no session. */
  identity?: ReactNode;
  children: ReactNode;
}

/** Header (brand, connection, identity) and the main area every state renders into. */
export function AppFrame({ status, identity, children }: AppFrameProps) {
  return (
    <div className="grid h-dvh grid-rows-[3.5rem_minmax(0,1fr)]">
      <header className="flex items-center justify-between gap-4 border-b bg-card px-5 max-md:px-3">
        <Link
          className="flex items-center gap-2 rounded-md font-bold text-[1.05rem] tracking-tight"
          href="/"
          aria-label="Foyer, back to the chat"
        >
          <span
            className="size-6.5 rounded-sm bg-linear-135 from-primary to-[#6d83f2]"
            aria-hidden="true"
          />
          <span>Foyer</span>
        </Link>
        <div className="flex min-w-0 items-center gap-3 max-md:gap-1.5">
          {status ? <ConnectionStatus state={status} /> : null}
          {identity}
        </div>
      </header>
      <main className="min-h-0">{children}</main>
    </div>
  );
}

/** Centres a page's one card (a form, a notice) in the main area. */
export function AppCenter({ children }: { children: ReactNode }) {
  return <div className="grid h-full place-items-center overflow-y-auto p-6">{children}</div>;
}
