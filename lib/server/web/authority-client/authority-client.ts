import "server-only";
import {
  AuthorityCallError,
  type AuthorityClient,
  type AuthorityRequest,
  type AuthorityResponse,
  createAuthorityClient,
} from "./create-authority-client";

/**
 * The web side's client to the session authority (`FOYER_AUTHORITY_URL`): one keep-alive
 * pool per base URL per process, created on first use. See authority-http.ts for the
 * request, response and failure contracts.
 */
export {
  AUTHORITY_TIMEOUT_IN_MS,
  AuthorityCallError,
  type AuthorityClient,
  type AuthorityFailure,
  type AuthorityRequest,
  type AuthorityResponse,
  createAuthorityClient,
} from "./create-authority-client";

// Next bundles this module once per entry (middleware, each route); keep one pool per process.
const REGISTRY_KEY = Symbol.for("foyer.authority-clients");
type Registry = Map<string, AuthorityClient>;

function getRegistry(): Registry {
  const scope = globalThis as typeof globalThis & { [REGISTRY_KEY]?: Registry };
  scope[REGISTRY_KEY] ??= new Map();
  return scope[REGISTRY_KEY];
}

/**
 * The process-wide client for `baseUrl` (default `FOYER_AUTHORITY_URL`), created on first use.
 * Throws a `refused` {@link AuthorityCallError} when no authority URL is configured.
 */
export function getAuthorityClient(baseUrl = process.env.FOYER_AUTHORITY_URL): AuthorityClient {
  if (!baseUrl) {
    throw new AuthorityCallError(
      "refused",
      "authority-client: FOYER_AUTHORITY_URL is not set; start Foyer through lib/server/main.ts or set it",
    );
  }
  const registry = getRegistry();
  let client = registry.get(baseUrl);
  if (!client) {
    client = createAuthorityClient(baseUrl);
    registry.set(baseUrl, client);
  }
  return client;
}

/** One POST to the authority through the process-wide client. */
export async function callAuthority(
  request: AuthorityRequest,
  baseUrl?: string,
): Promise<AuthorityResponse> {
  return getAuthorityClient(baseUrl).call(request);
}

/** Closes every process-wide client (tests, shutdown). */
export async function closeAuthorityClients(): Promise<void> {
  const registry = getRegistry();
  const clients = [...registry.values()];
  registry.clear();
  await Promise.all(clients.map((c) => c.close()));
}
