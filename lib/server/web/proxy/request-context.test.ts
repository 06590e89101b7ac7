import { describe, expect, it } from "vitest";
import {
  CLIENT_ADDRESS_HEADER,
  GUEST_SESSION_COOKIE,
  REQUEST_ID_HEADER,
} from "../../../shared/names";
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
});
