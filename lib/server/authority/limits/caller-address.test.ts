import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, CLIENT_ADDRESS_PROOF_HEADER } from "../../../shared/names";
import { toClientAddressKey, toClientAddressProof } from "../../common/client-address-proof";
import { getCallerAddress } from "./caller-address";

const key = toClientAddressKey("test-token-signing-key-0123456789abcdef");
const req = (headers: Record<string, string>, remoteAddress = "127.0.0.1") =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;
const proven = (address: string, proofKey = key) => ({
  [CLIENT_ADDRESS_HEADER]: address,
  [CLIENT_ADDRESS_PROOF_HEADER]: toClientAddressProof(address, proofKey),
});

describe("getCallerAddress", () => {
  it("uses the web tier's client-address header when its proof verifies", () => {
    expect(getCallerAddress(req(proven(" 203.0.113.7 ")), key)).toBe("203.0.113.7");
  });

  it("falls back to the TCP peer, ignoring other forwarding headers", () => {
    expect(getCallerAddress(req({ "x-forwarded-for": "1.2.3.4" }, "::1"), key)).toBe("::1");
  });

  it.each([
    ["without a proof", { [CLIENT_ADDRESS_HEADER]: "203.0.113.7" }],
    [
      "with a proof of another address",
      { ...proven("203.0.113.8"), [CLIENT_ADDRESS_HEADER]: "203.0.113.7" },
    ],
    [
      "with a proof under another key",
      proven("203.0.113.7", toClientAddressKey("another-signing-key-0123456789abcdefgh")),
    ],
    [
      "with a garbage proof",
      { [CLIENT_ADDRESS_HEADER]: "203.0.113.7", [CLIENT_ADDRESS_PROOF_HEADER]: "x" },
    ],
  ])("ignores a forged header %s: the TCP peer counts", (_name, headers) => {
    expect(getCallerAddress(req(headers, "127.0.0.9"), key)).toBe("127.0.0.9");
  });
});
