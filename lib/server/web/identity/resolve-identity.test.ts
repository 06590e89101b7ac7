import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Identity } from "../../../shared/contracts/identity";
import {
  AuthorityCallError,
  type AuthorityResponse,
} from "../authority-client/create-authority-client";
import { toIdentityHeader, toIdentityHeaderKeys } from "./identity-header";
import { getIdentityHeaderKeys, IdentityError, resolveRequestIdentity } from "./resolve-identity";

const KEYS = toIdentityHeaderKeys("k".repeat(40));
const ME: Identity = { userId: "usr_me", kind: "guest", sessionId: "ses_me" };
const COOKIES = { guestSession: "mine", memberSession: null };

beforeEach(() => vi.stubEnv("FOYER_LOG", "silent"));
afterEach(() => vi.unstubAllEnvs());

function answering(status: number, body?: unknown) {
  return vi.fn(
    async (): Promise<AuthorityResponse> => ({ status, headers: {}, setCookie: [], body }),
  );
}

describe("resolveRequestIdentity", () => {
  it("accepts a verified header without calling the authority", async () => {
    const call = answering(500);
    const header = toIdentityHeader(ME, COOKIES, KEYS);
    await expect(
      resolveRequestIdentity({ identityHeader: header, cookies: COOKIES }, { keys: KEYS, call }),
    ).resolves.toEqual({ status: "identified", identity: ME });
    expect(call).not.toHaveBeenCalled();
  });

  it("ignores a header bound to other cookies and asks the authority", async () => {
    const victim = { ...ME, userId: "usr_victim" };
    const header = toIdentityHeader(victim, { guestSession: "victims", memberSession: null }, KEYS);
    const call = answering(200, ME);
    const result = await resolveRequestIdentity(
      { identityHeader: header, cookies: COOKIES },
      { keys: KEYS, call },
    );
    expect(result).toEqual({ status: "identified", identity: ME });
    expect(call).toHaveBeenCalledOnce();
  });

  it("never yields an identity from a forged header without cookies", async () => {
    const header = toIdentityHeader(ME, { guestSession: null, memberSession: null }, KEYS);
    const call = answering(200, ME);
    const result = await resolveRequestIdentity(
      { identityHeader: header, cookies: { guestSession: null, memberSession: null } },
      { keys: KEYS, call },
    );
    expect(result).toEqual({ status: "anonymous" });
    expect(call).not.toHaveBeenCalled();
  });

  it("rejects an expired header and re-resolves", async () => {
    const header = toIdentityHeader(ME, COOKIES, KEYS, Date.now() - 120_000);
    const call = answering(204);
    await expect(
      resolveRequestIdentity({ identityHeader: header, cookies: COOKIES }, { keys: KEYS, call }),
    ).resolves.toEqual({ status: "anonymous" });
  });

  it("reports the authority as unavailable on failure, a bad status or a malformed body", async () => {
    const down = vi.fn(async () => {
      throw new AuthorityCallError("refused", "down");
    });
    for (const call of [down, answering(500), answering(404), answering(200, { userId: "x" })]) {
      await expect(
        resolveRequestIdentity({ identityHeader: null, cookies: COOKIES }, { keys: KEYS, call }),
      ).resolves.toEqual({ status: "unavailable" });
    }
  });

  it("resolves without keys (no password) through the authority only", async () => {
    const header = toIdentityHeader(ME, COOKIES, KEYS);
    const call = answering(204);
    await expect(
      resolveRequestIdentity({ identityHeader: header, cookies: COOKIES }, { keys: null, call }),
    ).resolves.toEqual({ status: "anonymous" });
    expect(call).toHaveBeenCalledOnce();
  });
});

describe("getIdentityHeaderKeys / IdentityError", () => {
  it("needs a password of at least 32 characters", () => {
    expect(getIdentityHeaderKeys({ FOYER_SESSION_PASSWORD: "short" })).toBeNull();
    expect(getIdentityHeaderKeys({})).toBeNull();
    expect(getIdentityHeaderKeys({ FOYER_SESSION_PASSWORD: "k".repeat(40) })?.signing).toEqual(
      KEYS.signing,
    );
  });

  it("carries an error code with one status", () => {
    expect(new IdentityError("unauthorized:session").code).toBe("unauthorized:session");
    expect(new IdentityError("unavailable:authority").message).toContain("request-identity");
  });
});
