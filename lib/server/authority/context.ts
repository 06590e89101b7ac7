import type { IncomingMessage, ServerResponse } from "node:http";
import type { Secrets } from "../common/env";
import type { LogFn } from "../common/log";
import type { ChangeAnnouncement, SessionChange } from "../common/session-change";
import type { Db } from "../db/types";
import type { mergeGuestIntoMember } from "../store/merge";
import type {
  GuestCreationLimit,
  GuestCreationLimiter,
  SignInLimiter,
  SignInLimits,
} from "./limits/authority-limits";

/** What {@link createAuthority} needs. The caller owns `db` (and closes it). */
export interface AuthorityDeps {
  db: Db;
  secrets: Secrets;
  /** Guest creations allowed per client address; default 30 per 60 s. */
  guestCreationLimit?: GuestCreationLimit;
  /** Sign-in and sign-up bounds; default `DEFAULT_SIGN_IN_LIMITS`. */
  signInLimits?: SignInLimits;
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
  limiter: GuestCreationLimiter;
  signInLimiter: SignInLimiter;
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
