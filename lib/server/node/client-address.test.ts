import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { compileTrustedProxies, getClientAddress } from "./client-address";

function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  const headers: Record<string, string> = {};
  if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
  return {
    headers,
    socket: { remoteAddress },
    connection: { remoteAddress },
  } as unknown as IncomingMessage;
}

describe("getClientAddress", () => {
  it("ignores X-Forwarded-For when no proxy is configured", () => {
    const trust = compileTrustedProxies(undefined);
    expect(getClientAddress(request("203.0.113.7", "198.51.100.1"), trust)).toBe("203.0.113.7");
  });

  it("honours X-Forwarded-For from a configured proxy", () => {
    const trust = compileTrustedProxies("10.0.0.0/8");
    expect(getClientAddress(request("10.1.2.3", "198.51.100.1"), trust)).toBe("198.51.100.1");
  });

  it("does not let a client spoof past an untrusted hop", () => {
    const trust = compileTrustedProxies("10.0.0.1");
    // The peer is trusted, but the hop it reports (203.0.113.9) is not: stop there.
    expect(getClientAddress(request("10.0.0.1", "1.1.1.1, 203.0.113.9"), trust)).toBe(
      "203.0.113.9",
    );
  });
});
