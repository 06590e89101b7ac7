import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_PROOF_HEADER,
  GUEST_SESSION_COOKIE,
  REQUEST_ID_HEADER,
} from "../../../shared/names";
import { isClientAddressProofValid, toClientAddressKey } from "../../common/client-address-proof";
import { toAuthorityContextHeaders, toRequestId, USER_AGENT_MAX_LENGTH } from "./request-context";

describe("toRequestId", () => {
  it.each([
    ["req_12345678", "req_12345678"],
    ["550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"],
  ])("keeps %s", (value, expected) => expect(toRequestId(value)).toBe(expected));

  it.each([null, "", "short", "has space here", "a\r\nb: c-1234567", "x".repeat(129)])(
    "replaces %j",
    (value) => {
      expect(toRequestId(value)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    },
  );
});

describe("toAuthorityContextHeaders", () => {
  // Without a signing key in the environment no proof is made (the default key source).
  beforeEach(() => vi.stubEnv("FOYER_TOKEN_SIGNING_KEY", ""));
  afterEach(() => vi.unstubAllEnvs());

  const incoming = new Headers({
    cookie: `a=1; ${GUEST_SESSION_COOKIE}=guest; __Host-foyer_session=member`,
    "user-agent": "u".repeat(USER_AGENT_MAX_LENGTH + 10),
    [CLIENT_ADDRESS_HEADER]: "198.51.100.2",
    authorization: "Bearer x",
    origin: "http://a",
  });

  it("sends the request id, a capped user agent, the client address and only the guest cookie", () => {
    expect(
      toAuthorityContextHeaders(incoming, "req_12345678", { forwardGuestCookie: true }),
    ).toEqual({
      [REQUEST_ID_HEADER]: "req_12345678",
      "user-agent": "u".repeat(USER_AGENT_MAX_LENGTH),
      [CLIENT_ADDRESS_HEADER]: "198.51.100.2",
      cookie: `${GUEST_SESSION_COOKIE}=guest`,
    });
  });

  it("sends no cookie at all when told not to", () => {
    expect(
      toAuthorityContextHeaders(incoming, "req_12345678", { forwardGuestCookie: false }).cookie,
    ).toBeUndefined();
  });

  it("proves the client address with the key from FOYER_TOKEN_SIGNING_KEY", () => {
    const signingKey = "test-token-signing-key-0123456789abcdef";
    vi.stubEnv("FOYER_TOKEN_SIGNING_KEY", signingKey);
    const sent = toAuthorityContextHeaders(incoming, "req_12345678", { forwardGuestCookie: true });
    const key = toClientAddressKey(signingKey);
    expect(isClientAddressProofValid("198.51.100.2", sent[CLIENT_ADDRESS_PROOF_HEADER], key)).toBe(
      true,
    );
    expect(JSON.stringify(sent)).not.toContain(signingKey);
  });

  it("proves nothing when there is no client address, or no key", () => {
    const key = toClientAddressKey("test-token-signing-key-0123456789abcdef");
    const bare = new Headers({ "user-agent": "u" });
    const none = toAuthorityContextHeaders(bare, "req_12345678", {
      forwardGuestCookie: false,
      clientAddressKey: key,
    });
    expect(none[CLIENT_ADDRESS_PROOF_HEADER]).toBeUndefined();
    const unkeyed = toAuthorityContextHeaders(incoming, "req_12345678", {
      forwardGuestCookie: false,
      clientAddressKey: null,
    });
    expect(unkeyed[CLIENT_ADDRESS_HEADER]).toBe("198.51.100.2");
    expect(unkeyed[CLIENT_ADDRESS_PROOF_HEADER]).toBeUndefined();
  });
});
