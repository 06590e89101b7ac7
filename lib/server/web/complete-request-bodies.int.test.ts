import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { Readable } from "node:stream";
import { getCloneableBody } from "next/dist/server/body-streams";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { guestSessionRequestSchema } from "../../shared/contracts/guest-session";
import { withCompleteRequestBodies } from "./complete-request-bodies";
import { ROUTE_BODY_MAX_IN_BYTES } from "./proxy/authority-route";
import { readRouteJson } from "./proxy/read-route-json";

/**
 * Aborted and reset request bodies against a real HTTP server whose handler does what Next.js
 * 15.5 does with a body when middleware.ts runs on Node.js (next-server.js): clone it for the
 * middleware and call `finalize()` without awaiting it, then run the route's body reader.
 * Unwrapped, every aborted body left an unhandled rejection; wrapped, none may.
 */

const CAP_IN_BYTES = 64 * 1024;
const ABORTS = 60;

let server: Server;
let port: number;
let handled: string[];
let rejections: unknown[];
const onRejection = (reason: unknown) => rejections.push(reason);

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  return headers;
}

/** Next.js's handling of a request with a body, then a route reading it. */
async function nextLikeHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = getCloneableBody(req);
  body.cloneBodyStream().resume();
  void body.finalize();
  const request = new Request(`http://localhost${req.url}`, {
    method: req.method,
    headers: toHeaders(req),
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: "half",
  } as RequestInit);
  const parsed = await readRouteJson(request, guestSessionRequestSchema, ROUTE_BODY_MAX_IN_BYTES);
  handled.push(parsed.ok ? parsed.data.mode : parsed.code);
  res.writeHead(parsed.ok ? 200 : 400, { "content-type": "application/json" });
  res.end(JSON.stringify(parsed));
}

beforeAll(async () => {
  server = createServer(
    withCompleteRequestBodies((req, res) => void nextLikeHandler(req, res), CAP_IN_BYTES),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  handled = [];
  rejections = [];
  process.on("unhandledRejection", onRejection);
});
afterEach(() => {
  process.off("unhandledRejection", onRejection);
});

/** Sends a POST declaring 1,000 bytes, a part of them, then destroys or resets the socket. */
function abortMidBody(how: "destroy" | "reset"): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(
        "POST /api/web/guest-session HTTP/1.1\r\nHost: localhost\r\n" +
          "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
          '{"mode":"lookup_only","legacyToken":"',
      );
      // Long enough for the server to be reading the body when it is cut.
      setTimeout(() => {
        if (how === "reset") socket.resetAndDestroy();
        else socket.destroy();
      }, 15);
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve());
  });
}

function post(body: string | ReadableStream<Uint8Array>): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/api/web/guest-session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    duplex: "half",
  } as RequestInit);
}

/** Lets rejections of the requests just cut off reach `unhandledRejection`. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setImmediate(resolve));
}

describe("aborted and reset request bodies", () => {
  it(`leave no unhandled rejection, ${ABORTS} times, and the server still answers`, async () => {
    for (let i = 0; i < ABORTS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => abortMidBody((i + j) % 2 ? "reset" : "destroy")),
      );
    }
    await settle();
    expect(rejections).toEqual([]);
    // A cut-off body never reaches the handler: its client is gone.
    expect(handled).toEqual([]);
    const answer = await post('{"mode":"lookup_only"}');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ ok: true, data: { mode: "lookup_only" } });
  });

  it("replays a whole body to the handler exactly, sent at once or in chunks", async () => {
    const token = "t".repeat(3000);
    const whole = JSON.stringify({ mode: "lookup_only", legacyToken: token });
    const encoder = new TextEncoder();
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < whole.length; at += 500) {
          controller.enqueue(encoder.encode(whole.slice(at, at + 500)));
        }
        controller.close();
      },
    });
    for (const body of [whole, chunked]) {
      const answer = await post(body);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({
        ok: true,
        data: { mode: "lookup_only", legacyToken: token },
      });
    }
    await settle();
    expect(rejections).toEqual([]);
  });

  it("answers 413 past the cap without handing the request on, declared or streamed", async () => {
    const big = "x".repeat(CAP_IN_BYTES + 1);
    const declared = await post(big);
    expect(declared.status).toBe(413);
    const streamed = await post(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
    );
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: "payload_too_large:body" } });
    expect(handled).toEqual([]);
    await settle();
    expect(rejections).toEqual([]);
  });
});
