import type { IncomingMessage } from "node:http";
import { CLIENT_ADDRESS_HEADER, CLIENT_ADDRESS_PROOF_HEADER } from "../../../shared/names";
import { isClientAddressProofValid } from "../../common/client-address-proof";

const CLIENT_ADDRESS_MAX_LENGTH = 128;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client address to limit by (docs/design.md S2). The web tier's address header counts
 * only with its proof, an HMAC under the key derived from the token signing key
 * (`common/client-address-proof.ts`): the authority listens on loopback, and any local
 * process could otherwise name any address and spend, or dodge, anyone's budget. Without a
 * valid proof: the TCP peer.
 */
export function getCallerAddress(req: IncomingMessage, clientAddressKey: Buffer): string {
  const claimed = single(req.headers[CLIENT_ADDRESS_HEADER]);
  const proof = single(req.headers[CLIENT_ADDRESS_PROOF_HEADER]);
  if (claimed && isClientAddressProofValid(claimed, proof, clientAddressKey)) {
    const address = claimed.trim().slice(0, CLIENT_ADDRESS_MAX_LENGTH);
    if (address) return address;
  }
  return req.socket.remoteAddress ?? "unknown";
}
