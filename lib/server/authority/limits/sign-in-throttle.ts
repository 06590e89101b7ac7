import { createHmac } from "node:crypto";
import { toAddressKey } from "../../common/address-keys";
import { consumeFrom, type LimitDecision } from "../../common/limit-decision";
import { createLimiter, type LimitStore, type LimitWindow } from "./limiter-store";

/**
 * Sign-in throttling without lockout (docs/design.md S8; the OWASP Authentication cheat
 * sheet): wrong passwords slow down the one (account, address) pair that made them, with a
 * delay that doubles per failure, and never lock the account. The owner signing in from an
 * address that has not failed for the account is never refused because someone else failed.
 *
 * - Every sign-in and sign-up spends one attempt of its client address's budget.
 * - A pair gets `freeFailures` answered at once; after each further failure its next attempt
 *   waits `firstDelayInSeconds`, doubling, up to `maxDelayInSeconds` (429 with Retry-After).
 * - Past `failuresPerAccount` (from every address together) a pair that has failed for the
 *   account gets no free failures: a distributed guesser is slowed at every address it uses,
 *   while an address with no failures for the account still signs in at once.
 * - A success clears the pair. Accounts are keys, whether or not they exist, so every answer
 *   is the same for an unknown email as for a known one.
 */
export interface SignInLimits {
  /** Sign-in and sign-up attempts per client address (/32, /64), whatever the account. */
  perAddress: LimitWindow;
  /** Wrong passwords per (account, address) answered without a wait. */
  freeFailures: number;
  firstDelayInSeconds: number;
  maxDelayInSeconds: number;
  /** How long a pair's failures are remembered, from its first one. */
  failureMemoryInSeconds: number;
  /** Wrong passwords per account from all addresses before every failing pair waits. */
  failuresPerAccount: LimitWindow;
}

/**
 * Pure: how long a pair waits after its `failures`-th failure in a row, given how many are
 * free: none before, then `first`, doubling, capped at `max`.
 */
export function toFailureDelayInSeconds(
  failures: number,
  freeFailures: number,
  limits: Pick<SignInLimits, "firstDelayInSeconds" | "maxDelayInSeconds">,
): number {
  if (failures < Math.max(1, freeFailures)) return 0;
  const doublings = failures - Math.max(1, freeFailures);
  // 2 ** 60 is already past any cap; avoid Infinity on absurd counts.
  const delay = limits.firstDelayInSeconds * 2 ** Math.min(doublings, 60);
  return Math.ceil(Math.min(delay, limits.maxDelayInSeconds));
}

/** An account's key in the counters: a keyed hash of the normalized email, never the email. */
export function toAccountKey(normalizedEmail: string, secret: string): string {
  return createHmac("sha256", secret)
    .update(`foyer-sign-in-account-v1:${normalizedEmail}`)
    .digest("base64url");
}

export interface SignInThrottle {
  /** Before a sign-up: spends one attempt of the address's budget. */
  attempt(clientAddress: string): Promise<LimitDecision>;
  /**
   * Before a password is checked: spends one attempt, refuses while the pair must wait, and
   * counts the attempt as the pair's failure until {@link SignInThrottle.succeed} (so
   * concurrent guesses cannot race past a wait while their passwords are being checked).
   */
  begin(clientAddress: string, accountKey: string): Promise<LimitDecision>;
  /** The password was wrong: one more failure for the account. */
  fail(accountKey: string): Promise<void>;
  /** The password was right: the pair starts over. */
  succeed(clientAddress: string, accountKey: string): Promise<void>;
}

/** Larger than any count of failures a pair reaches within its memory. */
const UNCAPPED = 1_000_000_000;

export function createSignInThrottle(limits: SignInLimits, store?: LimitStore): SignInThrottle {
  const attempts = createLimiter("sign_in:address", limits.perAddress, store);
  const pairFailures = createLimiter(
    "sign_in:pair_failures",
    { points: UNCAPPED, durationInSeconds: limits.failureMemoryInSeconds },
    store,
  );
  // A pair's one slot per wait: taken by the attempt that starts the wait, held until it ends.
  const pairWaits = createLimiter(
    "sign_in:pair_wait",
    { points: 1, durationInSeconds: limits.maxDelayInSeconds },
    store,
  );
  const accountFailures = createLimiter("sign_in:account", limits.failuresPerAccount, store);
  const pairKey = (address: string, account: string) => `${account}|${toAddressKey(address)}`;
  return {
    attempt: (clientAddress) => consumeFrom(attempts, toAddressKey(clientAddress)),
    async begin(clientAddress, accountKey) {
      const spent = await consumeFrom(attempts, toAddressKey(clientAddress));
      if (!spent.allowed) return spent;
      const pair = pairKey(clientAddress, accountKey);
      const account = await accountFailures.get(accountKey);
      const overBudget = (account?.consumedPoints ?? 0) >= limits.failuresPerAccount.points;
      // Counted first, atomically: concurrent guesses each get their own number.
      const failures = (await pairFailures.penalty(pair, 1)).consumedPoints;
      const delay = toFailureDelayInSeconds(failures, overBudget ? 1 : limits.freeFailures, limits);
      if (delay === 0) return { allowed: true };
      // One attempt per wait: the slot is taken atomically, then held for the wait.
      const slot = await consumeFrom(pairWaits, pair);
      if (!slot.allowed) {
        await pairFailures.reward(pair, 1);
        return slot;
      }
      await pairWaits.block(pair, delay);
      return { allowed: true };
    },
    async fail(accountKey) {
      await accountFailures.penalty(accountKey, 1);
    },
    async succeed(clientAddress, accountKey) {
      const pair = pairKey(clientAddress, accountKey);
      await Promise.all([pairFailures.delete(pair), pairWaits.delete(pair)]);
    },
  };
}
