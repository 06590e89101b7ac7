import { isIPv4, isIPv6 } from "node:net";

/**
 * The keys a client address is limited under, at two granularities (docs/design.md S7, S8).
 * What one client usually holds is one IPv4 address or one IPv6 /64, so rotating addresses
 * inside it does not reset a count ({@link toAddressKey}). Whoever holds a whole IPv4 /24 or
 * IPv6 /48 (a hosting provider's range, a small ISP's block) has 256 or 65,536 of those, so
 * the per-network budgets count them together ({@link toNetworkKey}).
 */

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The eight groups of an IPv6 address, without leading zeros (a zone id is dropped). */
function toIPv6Groups(address: string): string[] {
  const bare = address.toLowerCase().split("%")[0] ?? "";
  const [head = "", tail = ""] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // A trailing dotted IPv4 part stands for two groups.
  const width = (groups: string[]) => groups.length + (groups.at(-1)?.includes(".") ? 1 : 0);
  const groups = bare.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - width(left) - width(right))).fill("0"), ...right]
    : left;
  return groups.map((g) => g.replace(/^0+(?=.)/, ""));
}

/** An IPv4-mapped IPv6 address as the IPv4 address it maps; anything else as is. */
function unwrap(address: string): string {
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
}

/**
 * The key of one client: an IPv4 address as is (IPv4-mapped IPv6 unwrapped), an IPv6
 * address by its /64 prefix. Anything else (`unknown`) is its own key.
 */
export function toAddressKey(address: string): string {
  const plain = unwrap(address);
  if (!isIPv6(plain)) return plain;
  return `${toIPv6Groups(plain).slice(0, 4).join(":")}::/64`;
}

/** The key of the network around a client: its IPv4 /24 or its IPv6 /48. */
export function toNetworkKey(address: string): string {
  const plain = unwrap(address);
  if (isIPv4(plain)) return `${plain.split(".").slice(0, 3).join(".")}.0/24`;
  if (!isIPv6(plain)) return plain;
  return `${toIPv6Groups(plain).slice(0, 3).join(":")}::/48`;
}
