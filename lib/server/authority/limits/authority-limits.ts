import { isIPv6 } from "node:net";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { type EnvVars, readPositiveNumber } from "../../common/env";

/** How many guests one client address may create per window. */
export interface GuestCreationLimit {
  points: number;
  durationInSeconds: number;
}

export const DEFAULT_GUEST_CREATION_LIMIT: GuestCreationLimit = {
  points: 30,
  durationInSeconds: 60,
};

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface GuestCreationLimiter {
  /** Spends one creation for `clientAddress`; tells whether it was allowed. */
  consume(clientAddress: string): Promise<LimitDecision>;
}

/** An in-memory limiter of guest creations per client address (one authority process). */
export function createGuestCreationLimiter(
  limit: GuestCreationLimit = DEFAULT_GUEST_CREATION_LIMIT,
): GuestCreationLimiter {
  const limiter = new RateLimiterMemory({
    keyPrefix: "guest_creation",
    points: limit.points,
    duration: limit.durationInSeconds,
  });
  return {
    async consume(clientAddress) {
      try {
        await limiter.consume(toRateLimitKey(clientAddress));
        return { allowed: true };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
    },
  };
}

/**
 * The key an address is limited under: an IPv4 address as is (IPv4-mapped IPv6 unwrapped),
 * an IPv6 address by its /64 prefix, the block one client usually holds, so rotating
 * addresses inside it does not reset the count.
 */
export function toRateLimitKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** Sign-in and sign-up bounds: attempts per client address, failures per account. */
export interface SignInLimits {
  perAddress: GuestCreationLimit;
  failuresPerAccount: GuestCreationLimit;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAddress: { points: 60, durationInSeconds: 10 * 60 },
  failuresPerAccount: { points: 10, durationInSeconds: 15 * 60 },
};

export interface SignInLimiter {
  /** Spends one attempt for the address and checks the account is not locked. */
  begin(clientAddress: string, account: string): Promise<LimitDecision>;
  /** A wrong password for `account`: counts towards its lock. */
  fail(account: string): Promise<void>;
  /** A successful sign-in clears the account's failures. */
  succeed(account: string): Promise<void>;
}

function toDecision(rejection: unknown): LimitDecision {
  if (!(rejection instanceof RateLimiterRes)) throw rejection;
  return {
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
  };
}

/**
 * In-memory limits on sign-in and sign-up (OWASP authentication cheat sheet: throttle by
 * address and by account). Account keys are normalized emails; the answer to a locked
 * account is the same whether or not it exists.
 */
export function createSignInLimiter(limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS): SignInLimiter {
  const byAddress = new RateLimiterMemory({
    keyPrefix: "sign_in_address",
    points: limits.perAddress.points,
    duration: limits.perAddress.durationInSeconds,
  });
  const byAccount = new RateLimiterMemory({
    keyPrefix: "sign_in_account",
    points: limits.failuresPerAccount.points,
    duration: limits.failuresPerAccount.durationInSeconds,
  });
  return {
    async begin(clientAddress, account) {
      try {
        await byAddress.consume(toRateLimitKey(clientAddress));
      } catch (rejection) {
        return toDecision(rejection);
      }
      const failures = await byAccount.get(account);
      if (failures && failures.consumedPoints >= limits.failuresPerAccount.points) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(failures.msBeforeNext / 1000)),
        };
      }
      return { allowed: true };
    },
    async fail(account) {
      await byAccount.penalty(account, 1);
    },
    async succeed(account) {
      await byAccount.delete(account);
    },
  };
}

/**
 * The limits from the environment: `FOYER_GUEST_CREATIONS_PER_MINUTE` (per client address)
 * and `FOYER_SIGN_IN_ATTEMPTS_PER_ADDRESS` (per 10 minutes); defaults otherwise.
 */
export function readAuthorityLimits(env: EnvVars = process.env): {
  guestCreationLimit: GuestCreationLimit;
  signInLimits: SignInLimits;
} {
  return {
    guestCreationLimit: {
      points: readPositiveNumber(
        env,
        "FOYER_GUEST_CREATIONS_PER_MINUTE",
        DEFAULT_GUEST_CREATION_LIMIT.points,
      ),
      durationInSeconds: 60,
    },
    signInLimits: {
      ...DEFAULT_SIGN_IN_LIMITS,
      perAddress: {
        points: readPositiveNumber(
          env,
          "FOYER_SIGN_IN_ATTEMPTS_PER_ADDRESS",
          DEFAULT_SIGN_IN_LIMITS.perAddress.points,
        ),
        durationInSeconds: DEFAULT_SIGN_IN_LIMITS.perAddress.durationInSeconds,
      },
    },
  };
}
