import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { IDENTITY_HEADER } from "../../../shared/names";
import { TEST_SECRETS } from "../../authority/testing/authority-harness";
import { createPgliteStore, type TestStore } from "../../db/testing/stores";
import { createGuest, revokeOn, startTestNode, type TestNode } from "../../testing/cluster-harness";
import {
  type AuthorityRequest,
  createAuthorityClient,
} from "../authority-client/create-authority-client";
import { getProcessIdentityCache } from "./identity-cache";
import { resolveMiddlewareRequestHeaders } from "./middleware-core";

/**
 * The middleware's identity cache on a real node: a revoke through the node's authority
 * stops the identity from resolving the moment the revoke has answered.
 */
let store: TestStore;
let node: TestNode;
let client: ReturnType<typeof createAuthorityClient>;
let calls = 0;
const call = (request: AuthorityRequest) => {
  calls += 1;
  return client.call(request);
};

beforeAll(async () => {
  vi.stubEnv("FOYER_SESSION_PASSWORD", TEST_SECRETS.FOYER_SESSION_PASSWORD);
  store = await createPgliteStore();
  node = await startTestNode("web", { store, observe: false });
  client = createAuthorityClient(node.node.authorityUrl);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await client?.close();
  await node?.stop();
  await store?.dispose();
});

const identityOf = async (cookie: string) =>
  (
    await resolveMiddlewareRequestHeaders(
      new Request(`${node.node.url}/api/web/me`, { headers: { cookie } }),
      { call },
    )
  ).get(IDENTITY_HEADER);

describe("identity cache on a node", () => {
  it("resolves repeated requests from memory, and not at all once the revoke answered", async () => {
    const guest = await createGuest(node);
    const before = calls;
    expect(await identityOf(guest.cookie)).not.toBeNull();
    expect(await identityOf(guest.cookie)).not.toBeNull();
    expect(await identityOf(guest.cookie)).not.toBeNull();
    expect(calls - before).toBe(1);

    expect(await revokeOn(node, guest.sessionId)).toBe("revoked");
    expect(await identityOf(guest.cookie)).toBeNull();
    expect(calls - before).toBe(2);
  });

  it("stays off in a process whose node takes changes from nowhere (external authority, no bus)", async () => {
    await node.stop();
    const blind = await startTestNode("blind", {
      store,
      observe: false,
      // Nothing needs to answer there: only the wiring is checked.
      authorityUrl: "http://127.0.0.1:9",
    });
    try {
      expect(getProcessIdentityCache()).toBeNull();
    } finally {
      await blind.stop();
    }
  });
});
