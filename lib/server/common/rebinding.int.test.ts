import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestGateway, type TestGateway } from "../realtime/testing/gateway-harness";
import { proxyAuthorityRoute } from "../web/proxy/authority-route";
import { GUEST_SESSION_ROUTE } from "../web/proxy/guest-session-reply";

/**
 * DNS rebinding in local mode (no FOYER_PUBLIC_ORIGIN): a page on another site whose name now
 * resolves to this machine sends that name as both Host and Origin. Its state changes and its
 * socket handshakes are refused; the same requests under a loopback name are not.
 */

const REBOUND = "rebind.example";

let t: TestGateway;
let port: string;
beforeAll(async () => {
  t = await startTestGateway();
  port = new URL(t.url).port;
}, 60_000);
afterAll(() => t.close());

/** The status of Engine.IO's first polling request, sent with these Host and Origin. */
function handshakeStatus(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/socket.io/?EIO=4&transport=polling",
        headers: { host, origin: `http://${host}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function guestSessionRequest(host: string): Request {
  return new Request(`http://${host}/api/web/guest-session`, {
    method: "POST",
    body: JSON.stringify({ mode: "lookup_or_create" }),
    headers: { host, origin: `http://${host}`, "content-type": "application/json" },
  });
}

describe("DNS rebinding in local mode", () => {
  it("refuses a socket handshake whose Host and Origin name another site", async () => {
    expect(await handshakeStatus(`localhost:${port}`)).toBe(200);
    expect(await handshakeStatus(`${REBOUND}:${port}`)).not.toBe(200);
  });

  it("refuses a state change whose Host and Origin name another site, before any call", async () => {
    vi.stubEnv("FOYER_LOG", "silent");
    const call = vi.fn(async () => ({ status: 204, headers: {}, setCookie: [], body: undefined }));
    const rebound = await proxyAuthorityRoute(guestSessionRequest(REBOUND), GUEST_SESSION_ROUTE, {
      call,
      publicOrigins: [],
    });
    expect(rebound.status).toBe(403);
    expect(await rebound.json()).toMatchObject({ error: { code: "forbidden:origin" } });
    expect(call).not.toHaveBeenCalled();

    const local = await proxyAuthorityRoute(
      guestSessionRequest("localhost:3000"),
      GUEST_SESSION_ROUTE,
      {
        call,
        publicOrigins: [],
      },
    );
    expect(local.status).not.toBe(403);
    expect(call).toHaveBeenCalledTimes(1);
    vi.unstubAllEnvs();
  });
});
