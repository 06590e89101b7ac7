import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLIENT_ADDRESS_HEADER, CLIENT_ADDRESS_PROOF_HEADER } from "../../../shared/names";
import { toClientAddressKey, toClientAddressProof } from "../../common/client-address-proof";
import type { Secrets } from "../../common/env";
import type { SessionChange } from "../../common/session-change";
import { migrate } from "../../db/migrate";
import { openDatabase } from "../../db/open";
import type { Db } from "../../db/types";
import type { AuthorityDeps } from "../context";
import { INTERNAL_KEY_HEADER, toInternalKey } from "../internal-key";
import { type AuthorityLimits, DEFAULT_AUTHORITY_LIMITS } from "../limits/authority-limits";
import { startAuthorityServer } from "../router";

/** Fixed secrets for tests only. */
export const TEST_SECRETS: Secrets = {
  FOYER_SESSION_PASSWORD: "test-session-password-0123456789abcdef",
  FOYER_TOKEN_SIGNING_KEY: "test-token-signing-key-0123456789abcdef",
  FOYER_GUEST_SESSION_PEPPER: "test-guest-session-pepper-0123456789abcdef",
};

/** Headers that make a call to an internal route (e.g. revoke) with the test secrets. */
export const INTERNAL_HEADERS: Record<string, string> = {
  [INTERNAL_KEY_HEADER]: toInternalKey(TEST_SECRETS),
};

const UNLIMITED = { points: 1_000_000_000, durationInSeconds: 60 };
const UNLIMITED_BUDGETS = { perAddress: UNLIMITED, perNetwork: UNLIMITED, global: UNLIMITED };

/**
 * Limits no test or benchmark reaches, for servers whose every client is 127.0.0.1 (the
 * defaults are for real crowds). A suite that tests a limit sets its own.
 */
export const NO_AUTHORITY_LIMITS: AuthorityLimits = {
  guestCreation: UNLIMITED_BUDGETS,
  signUp: UNLIMITED_BUDGETS,
  signIn: {
    ...DEFAULT_AUTHORITY_LIMITS.signIn,
    perAddress: UNLIMITED,
    freeFailures: UNLIMITED.points,
    failuresPerAccount: UNLIMITED,
  },
};

export interface TestAuthority {
  url: string;
  db: Db;
  changes: SessionChange[];
  logs: { event: string; fields: Record<string, unknown> }[];
  /** POSTs JSON (or a raw string) with extra headers. */
  post(pathname: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * An authority on 127.0.0.1 (ephemeral port) over PGlite in a temp directory, for
 * integration tests. Not for production use.
 */
export async function startTestAuthority(
  overrides: Partial<
    Pick<AuthorityDeps, "limits" | "limitStore" | "onSessionChanged" | "mergeGuest">
  > = {},
): Promise<TestAuthority> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "foyer-authority-"));
  const db = await openDatabase({ dataDir });
  await migrate(db);
  const changes: SessionChange[] = [];
  const logs: TestAuthority["logs"] = [];
  const running = await startAuthorityServer({
    db,
    secrets: TEST_SECRETS,
    port: 0,
    limits: overrides.limits,
    limitStore: overrides.limitStore,
    mergeGuest: overrides.mergeGuest,
    onSessionChanged: async (change) => {
      const announced = await overrides.onSessionChanged?.(change);
      changes.push(change);
      return announced;
    },
    log: (event, fields) => logs.push({ event, fields }),
  });
  return {
    url: running.url,
    db,
    changes,
    logs,
    post: (pathname, body, headers = {}) =>
      fetch(new URL(pathname, running.url), {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    async stop() {
      try {
        await running.close();
        await db.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The headers the web tier sends for a browser at `address`: the address and its proof
 * under {@link TEST_SECRETS} (without the proof the authority limits by the TCP peer).
 */
export function toClientAddressHeaders(address: string): Record<string, string> {
  const key = toClientAddressKey(TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY);
  return {
    [CLIENT_ADDRESS_HEADER]: address,
    [CLIENT_ADDRESS_PROOF_HEADER]: toClientAddressProof(address, key),
  };
}

/** The `name=value` part of a Set-Cookie header, as a Cookie header would carry it. */
export function toCookieHeader(setCookie: string): string {
  return setCookie.split(";")[0] ?? "";
}
