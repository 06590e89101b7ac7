import { describe, expect, it } from "vitest";
import { toAddressKey, toNetworkKey } from "./address-keys";

describe("toAddressKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"],
    ["2001:db8:abcd:0012::99", "2001:db8:abcd:12::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    ["unknown", "unknown"],
  ])("%s → %s", (address, key) => {
    expect(toAddressKey(address)).toBe(key);
  });
});

describe("toNetworkKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.0/24"],
    ["203.0.113.254", "203.0.113.0/24"],
    ["::ffff:203.0.113.7", "203.0.113.0/24"],
    ["203.0.114.7", "203.0.114.0/24"],
    ["2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48"],
    ["2001:db8:abcd:ffff::1", "2001:db8:abcd::/48"],
    ["2001:db8::1", "2001:db8:0::/48"],
    ["unknown", "unknown"],
  ])("%s → %s", (address, key) => {
    expect(toNetworkKey(address)).toBe(key);
  });
});
