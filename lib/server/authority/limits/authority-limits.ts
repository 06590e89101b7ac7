import { type EnvVars, readPositiveNumber } from "../../common/env";
import { type CreationBudget, type CreationBudgets, createCreationBudget } from "./creation-budget";
import type { LimitStore } from "./limiter-store";
import { createSignInThrottle, type SignInLimits, type SignInThrottle } from "./sign-in-throttle";

/**
 * Every limit of the authority (docs/design.md S7, S8), with its defaults and the
 * environment variables that change them. The defaults are generous for people (an office
 * of a hundred behind one NAT address, everyone opening Foyer and signing up the same
 * morning) and tight for scripts (a flood from one address stops within a minute, a flood
 * rotating through a /24 or across networks soon after).
 */
export interface AuthorityLimits {
  /** New guests. */
  guestCreation: CreationBudgets;
  /** New accounts (on top of the sign-in attempts per address, which sign-ups also spend). */
  signUp: CreationBudgets;
  signIn: SignInLimits;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

export const DEFAULT_AUTHORITY_LIMITS: AuthorityLimits = {
  guestCreation: {
    perAddress: { points: 30, durationInSeconds: MINUTE },
    perNetwork: { points: 120, durationInSeconds: MINUTE },
    global: { points: 1_200, durationInSeconds: MINUTE },
  },
  signUp: {
    perAddress: { points: 60, durationInSeconds: HOUR },
    perNetwork: { points: 120, durationInSeconds: HOUR },
    global: { points: 1_000, durationInSeconds: HOUR },
  },
  signIn: {
    perAddress: { points: 60, durationInSeconds: 10 * MINUTE },
    freeFailures: 5,
    firstDelayInSeconds: 1,
    maxDelayInSeconds: 15 * MINUTE,
    failureMemoryInSeconds: 24 * HOUR,
    failuresPerAccount: { points: 20, durationInSeconds: HOUR },
  },
};

/** Some limits changed, the rest default (tests, benchmarks, the environment). */
export interface AuthorityLimitOverrides {
  guestCreation?: Partial<CreationBudgets>;
  signUp?: Partial<CreationBudgets>;
  signIn?: Partial<SignInLimits>;
}

/** Pure: the defaults with `overrides` applied. */
export function toAuthorityLimits(overrides: AuthorityLimitOverrides = {}): AuthorityLimits {
  const d = DEFAULT_AUTHORITY_LIMITS;
  return {
    guestCreation: { ...d.guestCreation, ...overrides.guestCreation },
    signUp: { ...d.signUp, ...overrides.signUp },
    signIn: { ...d.signIn, ...overrides.signIn },
  };
}

/** The variable of each budget: its window stays the default's. */
const VARIABLES = {
  guestCreation: {
    perAddress: "FOYER_GUEST_CREATIONS_PER_MINUTE",
    perNetwork: "FOYER_GUEST_CREATIONS_PER_MINUTE_PER_NETWORK",
    global: "FOYER_GUEST_CREATIONS_PER_MINUTE_GLOBAL",
  },
  signUp: {
    perAddress: "FOYER_SIGN_UPS_PER_HOUR",
    perNetwork: "FOYER_SIGN_UPS_PER_HOUR_PER_NETWORK",
    global: "FOYER_SIGN_UPS_PER_HOUR_GLOBAL",
  },
} as const;

function readBudgets(
  env: EnvVars,
  names: Record<keyof CreationBudgets, string>,
  defaults: CreationBudgets,
): CreationBudgets {
  const read = (level: keyof CreationBudgets) => ({
    points: readPositiveNumber(env, names[level], defaults[level].points),
    durationInSeconds: defaults[level].durationInSeconds,
  });
  return { perAddress: read("perAddress"), perNetwork: read("perNetwork"), global: read("global") };
}

/**
 * The limits from the environment (each variable is a count; unset: the default):
 * guests per minute `FOYER_GUEST_CREATIONS_PER_MINUTE` (per address),
 * `…_PER_NETWORK` (/24, /48) and `…_GLOBAL`; sign-ups per hour `FOYER_SIGN_UPS_PER_HOUR`,
 * `…_PER_NETWORK`, `…_GLOBAL`; sign-in and sign-up attempts per address per 10 minutes
 * `FOYER_SIGN_IN_ATTEMPTS_PER_ADDRESS`; wrong passwords per account and address before the
 * delays `FOYER_SIGN_IN_FREE_FAILURES`; wrong passwords per account per hour, from every
 * address, `FOYER_SIGN_IN_FAILURES_PER_ACCOUNT`.
 */
export function readAuthorityLimits(env: EnvVars = process.env): AuthorityLimits {
  const d = DEFAULT_AUTHORITY_LIMITS;
  return {
    guestCreation: readBudgets(env, VARIABLES.guestCreation, d.guestCreation),
    signUp: readBudgets(env, VARIABLES.signUp, d.signUp),
    signIn: {
      ...d.signIn,
      perAddress: {
        points: readPositiveNumber(
          env,
          "FOYER_SIGN_IN_ATTEMPTS_PER_ADDRESS",
          d.signIn.perAddress.points,
        ),
        durationInSeconds: d.signIn.perAddress.durationInSeconds,
      },
      freeFailures: readPositiveNumber(env, "FOYER_SIGN_IN_FREE_FAILURES", d.signIn.freeFailures),
      failuresPerAccount: {
        points: readPositiveNumber(
          env,
          "FOYER_SIGN_IN_FAILURES_PER_ACCOUNT",
          d.signIn.failuresPerAccount.points,
        ),
        durationInSeconds: d.signIn.failuresPerAccount.durationInSeconds,
      },
    },
  };
}

/** The authority's limiters, sharing `store` (memory when there is none). */
export interface AuthorityLimiters {
  guestCreation: CreationBudget;
  signUp: CreationBudget;
  signIn: SignInThrottle;
}

export function createAuthorityLimiters(
  limits: AuthorityLimits,
  store?: LimitStore,
): AuthorityLimiters {
  return {
    guestCreation: createCreationBudget("guest_creation", limits.guestCreation, store),
    signUp: createCreationBudget("sign_up", limits.signUp, store),
    signIn: createSignInThrottle(limits.signIn, store),
  };
}
