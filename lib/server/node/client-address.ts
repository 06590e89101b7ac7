import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

/**
 * The client address of a request. `X-Forwarded-For` is honoured only for hops that are
 * configured proxies (`FOYER_TRUSTED_PROXIES`: comma-separated addresses, CIDRs or the
 * proxy-addr presets `loopback`, `linklocal`, `uniquelocal`); by default no proxy is
 * trusted and the TCP peer address is the client.
 */
export type TrustFn = (address: string, hop: number) => boolean;

export function compileTrustedProxies(value: string | undefined): TrustFn {
  const list = (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
  return proxyaddr.compile(list);
}

export function getClientAddress(req: IncomingMessage, trust: TrustFn): string {
  try {
    return proxyaddr(req, trust);
  } catch {
    return req.socket.remoteAddress ?? "unknown";
  }
}
