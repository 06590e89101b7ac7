import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Identity } from "../../../shared/contracts/identity";
import { GUEST_SESSION_COOKIE, IDENTITY_HEADER } from "../../../shared/names";
import { readIdentityCookies } from "../proxy/cookie-allow-list";
import { toIdentityHeader, toIdentityHeaderKeys } from "./identity-header";

const PASSWORD = "d".repeat(40);
const ME: Identity = { userId: "usr_me", kind: "guest", sessionId: "ses_me" };
const VICTIM: Identity = { userId: "usr_victim", kind: "member", sessionId: "ses_victim" };
const COOKIE = `${GUEST_SESSION_COOKIE}=mine`;

const state = vi.hoisted(() => ({ headers: new Headers() }));
const callAuthority = vi.hoisted(() => vi.fn());

vi.mock("next/headers", () => ({ headers: async () => state.headers }));
vi.mock("../authority-client/authority-client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../authority-client/authority-client")>()),
  callAuthority,
}));

const { getIdentity, requireIdentity, IdentityError, toIdentityErrorResponse } = await import(
  "./dal"
);

beforeEach(() => {
  vi.stubEnv("FOYER_SESSION_PASSWORD", PASSWORD);
  vi.stubEnv("FOYER_LOG", "silent");
  callAuthority.mockReset();
});
afterEach(() => vi.unstubAllEnvs());

describe("dal", () => {
  it("trusts the middleware header when it verifies for this request's cookies", async () => {
    const header = toIdentityHeader(
      ME,
      readIdentityCookies(COOKIE),
      toIdentityHeaderKeys(PASSWORD),
    );
    state.headers = new Headers({ cookie: COOKIE, [IDENTITY_HEADER]: header });
    await expect(getIdentity()).resolves.toEqual(ME);
    expect(callAuthority).not.toHaveBeenCalled();
  });

  it("never yields the identity a forged header names", async () => {
    const forged = toIdentityHeader(
      VICTIM,
      readIdentityCookies(COOKIE),
      toIdentityHeaderKeys("z".repeat(40)),
    );
    state.headers = new Headers({ cookie: COOKIE, [IDENTITY_HEADER]: forged });
    callAuthority.mockResolvedValue({ status: 200, headers: {}, setCookie: [], body: ME });
    await expect(getIdentity()).resolves.toEqual(ME);
    expect(callAuthority).toHaveBeenCalledOnce();
  });

  it("returns null, and requireIdentity throws 401, without cookies", async () => {
    const header = toIdentityHeader(
      VICTIM,
      readIdentityCookies(""),
      toIdentityHeaderKeys(PASSWORD),
    );
    state.headers = new Headers({ [IDENTITY_HEADER]: header });
    await expect(getIdentity()).resolves.toBeNull();
    const error = await requireIdentity().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityError);
    expect(toIdentityErrorResponse(error as InstanceType<typeof IdentityError>).status).toBe(401);
  });

  it("requireIdentity answers 503 when the authority is down", async () => {
    state.headers = new Headers({ cookie: COOKIE });
    callAuthority.mockRejectedValue(new Error("down"));
    const error = (await requireIdentity().catch((e: unknown) => e)) as InstanceType<
      typeof IdentityError
    >;
    expect(error.code).toBe("unavailable:authority");
    const response = toIdentityErrorResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});
