import { describe, expect, it } from "vitest";
import { ConfigError } from "../../common/env";
import {
  DEFAULT_AUTHORITY_LIMITS,
  readAuthorityLimits,
  toAuthorityLimits,
} from "./authority-limits";

describe("readAuthorityLimits", () => {
  it("answers the defaults for an empty environment", () => {
    expect(readAuthorityLimits({})).toEqual(DEFAULT_AUTHORITY_LIMITS);
  });

  it("reads every budget's count from its variable, keeping its window", () => {
    const limits = readAuthorityLimits({
      FOYER_GUEST_CREATIONS_PER_MINUTE: "1",
      FOYER_GUEST_CREATIONS_PER_MINUTE_PER_NETWORK: "2",
      FOYER_GUEST_CREATIONS_PER_MINUTE_GLOBAL: "3",
      FOYER_SIGN_UPS_PER_HOUR: "4",
      FOYER_SIGN_UPS_PER_HOUR_PER_NETWORK: "5",
      FOYER_SIGN_UPS_PER_HOUR_GLOBAL: "6",
      FOYER_SIGN_IN_ATTEMPTS_PER_ADDRESS: "7",
      FOYER_SIGN_IN_FREE_FAILURES: "8",
      FOYER_SIGN_IN_FAILURES_PER_ACCOUNT: "9",
    });
    expect(limits.guestCreation).toEqual({
      perAddress: { points: 1, durationInSeconds: 60 },
      perNetwork: { points: 2, durationInSeconds: 60 },
      global: { points: 3, durationInSeconds: 60 },
    });
    expect(limits.signUp).toEqual({
      perAddress: { points: 4, durationInSeconds: 3_600 },
      perNetwork: { points: 5, durationInSeconds: 3_600 },
      global: { points: 6, durationInSeconds: 3_600 },
    });
    expect(limits.signIn).toMatchObject({
      perAddress: { points: 7, durationInSeconds: 600 },
      freeFailures: 8,
      failuresPerAccount: { points: 9, durationInSeconds: 3_600 },
    });
  });

  it.each(["0", "-1", "many"])("refuses %j, naming the variable", (value) => {
    expect(() => readAuthorityLimits({ FOYER_SIGN_UPS_PER_HOUR_GLOBAL: value })).toThrow(
      ConfigError,
    );
    expect(() => readAuthorityLimits({ FOYER_SIGN_UPS_PER_HOUR_GLOBAL: value })).toThrow(
      /FOYER_SIGN_UPS_PER_HOUR_GLOBAL/,
    );
  });
});

describe("toAuthorityLimits", () => {
  it("applies overrides per budget over the defaults", () => {
    const one = { points: 1, durationInSeconds: 1 };
    const limits = toAuthorityLimits({
      guestCreation: { global: one },
      signIn: { freeFailures: 2 },
    });
    expect(limits.guestCreation).toEqual({
      ...DEFAULT_AUTHORITY_LIMITS.guestCreation,
      global: one,
    });
    expect(limits.signUp).toEqual(DEFAULT_AUTHORITY_LIMITS.signUp);
    expect(limits.signIn).toEqual({ ...DEFAULT_AUTHORITY_LIMITS.signIn, freeFailures: 2 });
  });
});
