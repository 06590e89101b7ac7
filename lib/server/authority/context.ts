import type { IncomingMessage, ServerResponse } from "node:http";
import type { Secrets } from "../common/env";
import type { LogFn } from "../common/log";
import type { ChangeAnnouncement, SessionChange } from "../common/session-change";
import type { Db } from "../db/types";
import type { mergeGuestIntoMember } from "../store/merge";
import type { AuthorityLimiters, AuthorityLimitOverrides } from "./limits/authority-limits";
import type { LimitStore } from "./limits/limiter-store";

/** What {@link createAuthority} needs. The caller owns `db` (and closes it). */
export interface AuthorityDeps {
  db: Db;
  secrets: Secrets;
  /** Guest-creation, sign-up and sign-in limits. @default `DEFAULT_AUTHORITY_LIMITS` */
  limits?: AuthorityLimitOverrides;
  /**
   * Where the limits count: shared by every authority on one Redis. @default this process's
   * memory (each authority counts alone)
   */
  limitStore?: LimitStore;
  /** The merge step (tests replace it to make it fail); default `mergeGuestIntoMember`. */
  mergeGuest?: typeof mergeGuestIntoMember;
  /**
   * Awaited before a rotate or revoke answers, so no gateway honours the old generation
   * afterwards; `confirmed: false` makes the answer say the change is still pending.
   */
  onSessionChanged?: (change: SessionChange) => ChangeAnnouncement | Promise<ChangeAnnouncement>;
  log?: LogFn;
}

/** Per-process state shared by the handlers. */
export interface AuthorityContext {
  db: Db;
  secrets: Secrets;
  /** Proves the web tier's client-address header (derived from the token signing key). */
  clientAddressKey: Buffer;
  limits: AuthorityLimiters;
  mergeGuest: typeof mergeGuestIntoMember;
  onSessionChanged: (change: SessionChange) => ChangeAnnouncement | Promise<ChangeAnnouncement>;
  log: LogFn;
}

export type RouteHandler = (
  ctx: AuthorityContext,
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
) => Promise<void>;
