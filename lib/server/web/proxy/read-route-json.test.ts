import { describe, expect, it } from "vitest";
import { guestSessionRequestSchema } from "../../../shared/contracts/guest-session";
import { readRouteJson } from "./read-route-json";

const MAX = 8 * 1024;

function post(
  body: BodyInit | null,
  contentType = "application/json",
  extra: Record<string, string> = {},
) {
  return new Request("http://localhost/api", {
    method: "POST",
    body,
    headers: { "content-type": contentType, ...extra },
  });
}

describe("readRouteJson", () => {
  it("accepts a valid body (content type with parameters)", async () => {
    const result = await readRouteJson(
      post('{"mode":"lookup_only"}', "Application/JSON; charset=utf-8"),
      guestSessionRequestSchema,
      MAX,
    );
    expect(result).toEqual({ ok: true, data: { mode: "lookup_only" } });
  });

  it.each([
    ["not JSON", "{mode:", "bad_request:body"],
    ["empty", "", "bad_request:body"],
    ["an unknown mode", '{"mode":"create"}', "bad_request:body"],
    ["an extra key", '{"mode":"lookup_only","userId":"usr_x"}', "bad_request:body"],
    ["an empty legacy token", '{"mode":"lookup_only","legacyToken":""}', "bad_request:body"],
    ["an array", "[]", "bad_request:body"],
  ])("rejects %s", async (_name, body, code) => {
    const result = await readRouteJson(post(body), guestSessionRequestSchema, MAX);
    expect(result).toMatchObject({ ok: false, code });
  });

  it("rejects another content type with 415", async () => {
    const result = await readRouteJson(
      post('{"mode":"lookup_only"}', "text/plain"),
      guestSessionRequestSchema,
      MAX,
    );
    expect(result).toMatchObject({ ok: false, code: "unsupported_media_type:body" });
  });

  it("rejects a body over the cap, declared or streamed", async () => {
    const big = JSON.stringify({ mode: "lookup_only", legacyToken: "a".repeat(MAX) });
    expect(await readRouteJson(post(big), guestSessionRequestSchema, MAX)).toMatchObject({
      code: "payload_too_large:body",
    });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(1024).fill(32));
        controller.close();
      },
    });
    const streamed = new Request("http://localhost/api", {
      method: "POST",
      body: stream,
      duplex: "half",
      headers: { "content-type": "application/json" },
    } as RequestInit);
    expect(await readRouteJson(streamed, guestSessionRequestSchema, MAX)).toMatchObject({
      code: "payload_too_large:body",
    });
  });

  it.each(["an error", "a reset"])(
    "answers 400 when the body stream fails midway (%s), never throwing",
    async (kind) => {
      const failure = Object.assign(new Error(kind === "a reset" ? "read ECONNRESET" : "aborted"), {
        code: "ECONNRESET",
      });
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"mode":'));
        },
        pull(controller) {
          controller.error(failure);
        },
      });
      const cut = new Request("http://localhost/api", {
        method: "POST",
        body: stream,
        duplex: "half",
        headers: { "content-type": "application/json", "content-length": "1000" },
      } as RequestInit);
      const result = await readRouteJson(cut, guestSessionRequestSchema, MAX);
      expect(result).toEqual({
        ok: false,
        code: "bad_request:body",
        message: "The body was cut off.",
      });
    },
  );

  it("never echoes the body in its message", async () => {
    const result = await readRouteJson(
      post('{"mode":"lookup_only","legacyToken":"SECRET-TOKEN","x":1}'),
      guestSessionRequestSchema,
      MAX,
    );
    expect(JSON.stringify(result)).not.toContain("SECRET-TOKEN");
  });
});
