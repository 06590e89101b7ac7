import { describe, expect, it } from "vitest";
import { toInternalKey } from "../authority/internal-key";
import {
  getClientAddressKey,
  isClientAddressProofValid,
  toClientAddressKey,
  toClientAddressProof,
} from "./client-address-proof";

const SIGNING_KEY = "test-token-signing-key-0123456789abcdef";

describe("the client-address proof", () => {
  const key = toClientAddressKey(SIGNING_KEY);

  it("verifies for exactly the address it was made for", () => {
    const proof = toClientAddressProof("203.0.113.7", key);
    expect(isClientAddressProofValid("203.0.113.7", proof, key)).toBe(true);
    expect(isClientAddressProofValid("203.0.113.8", proof, key)).toBe(false);
    expect(isClientAddressProofValid(" 203.0.113.7", proof, key)).toBe(false);
  });

  it.each([
    ["no proof", undefined],
    ["an empty proof", ""],
    ["a truncated proof", "abc"],
    ["the address itself", "203.0.113.7"],
  ])("refuses %s", (_name, proof) => {
    expect(isClientAddressProofValid("203.0.113.7", proof, key)).toBe(false);
  });

  it("refuses a proof made under another signing key", () => {
    const other = toClientAddressKey("another-signing-key-0123456789abcdefgh");
    const proof = toClientAddressProof("203.0.113.7", other);
    expect(isClientAddressProofValid("203.0.113.7", proof, key)).toBe(false);
  });

  it("derives a key of its own: neither the signing key nor the internal key", () => {
    expect(key).toHaveLength(32);
    expect(key.equals(Buffer.from(SIGNING_KEY))).toBe(false);
    const internal = toInternalKey({ FOYER_TOKEN_SIGNING_KEY: SIGNING_KEY });
    expect(key.toString("base64url")).not.toBe(internal);
    expect(toClientAddressProof("203.0.113.7", key)).not.toBe(internal);
  });

  it("reads the key from FOYER_TOKEN_SIGNING_KEY, and none from a missing or short one", () => {
    expect(getClientAddressKey({ FOYER_TOKEN_SIGNING_KEY: SIGNING_KEY })).toEqual(key);
    expect(getClientAddressKey({})).toBeNull();
    expect(getClientAddressKey({ FOYER_TOKEN_SIGNING_KEY: "short" })).toBeNull();
  });
});
