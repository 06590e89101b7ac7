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
    <div className="app">
      <header className="app__header">
        <Link className="brand" href="/" aria-label="Foyer, back to the chat">
          <span className="brand__mark" aria-hidden="true" />
          <span className="brand__name">Foyer</span>
        </Link>
        <div className="app__header-end">
          {status ? <ConnectionStatus state={status} /> : null}
          {identity}
        </div>
      </header>
      <main className="app__main">{children}</main>
    </div>
  );
}
