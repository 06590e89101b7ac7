import { describe, expect, it } from "vitest";
import { isLoopbackHost, isSameOrigin, type OriginInput, parsePublicOrigins } from "./same-origin";

/** Without configured public origins only a loopback Host is this site (local mode). */
const HOST = "localhost";

describe("isSameOrigin without configured public origins (a loopback Host decides)", () => {
  it.each<[string, OriginInput, boolean]>([
    ["same origin", { origin: `https://${HOST}`, host: HOST }, true],
    [
      "same origin, http on localhost with port",
      { origin: "http://localhost:3000", host: "localhost:3000" },
      true,
    ],
    ["cross-site origin", { origin: "https://evil.example", host: HOST }, false],
    ["sibling subdomain", { origin: `https://evil.${HOST}`, host: HOST }, false],
    ["other port", { origin: `https://${HOST}:8443`, host: HOST }, false],
    ["neither Origin nor Referer", { origin: null, referer: null, host: HOST }, false],
    ["null origin", { origin: "null", host: HOST }, false],
    [
      "null origin with a same-origin Referer",
      { origin: "null", referer: `https://${HOST}/chat`, host: HOST },
      false,
    ],
    [
      "referer only, same origin",
      { origin: null, referer: `https://${HOST}/chat?x=1`, host: HOST },
      true,
    ],
    [
      "referer only, cross-site",
      { origin: null, referer: "https://evil.example/", host: HOST },
      false,
    ],
    ["unparseable origin", { origin: "::::", host: HOST }, false],
    ["non-http scheme", { origin: `ftp://${HOST}`, host: HOST }, false],
    ["missing Host", { origin: `https://${HOST}`, host: null }, false],
    ["Host in upper case", { origin: `https://${HOST}`, host: HOST.toUpperCase() }, true],
    [
      "sec-fetch-site cross-site",
      { origin: `https://${HOST}`, host: HOST, secFetchSite: "cross-site" },
      false,
    ],
    [
      "sec-fetch-site same-site",
      { origin: `https://${HOST}`, host: HOST, secFetchSite: "same-site" },
      false,
    ],
    [
      "sec-fetch-site same-origin",
      { origin: `https://${HOST}`, host: HOST, secFetchSite: "same-origin" },
      true,
    ],
    [
      "sec-fetch-site none (user-typed)",
      { origin: `https://${HOST}`, host: HOST, secFetchSite: "none" },
      true,
    ],
  ])("%s → %s", (_name, input, expected) => {
    expect(isSameOrigin(input)).toBe(expected);
  });
});

describe("isSameOrigin with configured public origins", () => {
  const origins = parsePublicOrigins(" https://chat.example.com , https://www.example.com/ ");

  it("normalises the configured list", () => {
    expect(origins).toEqual(["https://chat.example.com", "https://www.example.com"]);
    expect(parsePublicOrigins(undefined)).toEqual([]);
    expect(parsePublicOrigins("")).toEqual([]);
  });

  it.each<[string, OriginInput, boolean]>([
    ["a configured origin", { origin: "https://www.example.com", host: "internal:3000" }, true],
    [
      "a configured origin via Referer",
      { origin: null, referer: "https://chat.example.com/x", host: "internal:3000" },
      true,
    ],
    [
      "the Host's own origin, not configured",
      { origin: "http://internal:3000", host: "internal:3000" },
      false,
    ],
    ["cross-site", { origin: "https://evil.example", host: "chat.example.com" }, false],
    [
      "http instead of https",
      { origin: "http://chat.example.com", host: "chat.example.com" },
      false,
    ],
  ])("%s → %s", (_name, input, expected) => {
    expect(isSameOrigin(input, origins)).toBe(expected);
  });
});

describe("isSameOrigin: a present Origin decides alone", () => {
  it("does not fall back to the Referer when Origin is unparseable", () => {
    expect(isSameOrigin({ origin: "::::", referer: `https://${HOST}/`, host: HOST })).toBe(false);
  });
  it("falls back to the Referer when Origin is empty", () => {
    expect(isSameOrigin({ origin: "", referer: `https://${HOST}/`, host: HOST })).toBe(true);
  });
});

describe("isSameOrigin without configured public origins: DNS rebinding", () => {
  it.each<[string, OriginInput, boolean]>([
    ["127.0.0.1 with port", { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" }, true],
    ["[::1] with port", { origin: "http://[::1]:3000", host: "[::1]:3000" }, true],
    ["localhost without port", { origin: "http://localhost", host: "localhost" }, true],
    // A rebound name sends itself as both Host and Origin: never this site in local mode.
    [
      "another site as Host and Origin",
      { origin: "https://chat.example.com", host: "chat.example.com" },
      false,
    ],
    [
      "a rebound name, http",
      { origin: "http://rebind.example:3000", host: "rebind.example:3000" },
      false,
    ],
    [
      "a name that starts like localhost",
      { origin: "http://localhost.evil.example", host: "localhost.evil.example" },
      false,
    ],
    [
      "a name that ends like localhost",
      { origin: "http://evil-localhost:3000", host: "evil-localhost:3000" },
      false,
    ],
    ["a LAN address", { origin: "http://192.168.1.5:3000", host: "192.168.1.5:3000" }, false],
    ["0.0.0.0", { origin: "http://0.0.0.0:3000", host: "0.0.0.0:3000" }, false],
    [
      "a loopback Host, another site's Origin",
      { origin: "https://evil.example", host: "localhost:3000" },
      false,
    ],
  ])("%s → %s", (_name, input, expected) => {
    expect(isSameOrigin(input)).toBe(expected);
  });

  it("does not apply with configured public origins: those decide", () => {
    const origins = parsePublicOrigins("https://chat.example.com");
    expect(
      isSameOrigin({ origin: "https://chat.example.com", host: "chat.example.com" }, origins),
    ).toBe(true);
    expect(isSameOrigin({ origin: "http://localhost:3000", host: "localhost:3000" }, origins)).toBe(
      false,
    );
  });
});

describe("isLoopbackHost", () => {
  it.each<[string | null, boolean]>([
    ["localhost", true],
    ["LocalHost:3000", true],
    ["127.0.0.1", true],
    ["127.0.0.1:65535", true],
    ["[::1]", true],
    ["[::1]:3000", true],
    [null, false],
    ["", false],
    ["localhost.", false],
    ["localhost:abc", false],
    ["a@localhost", false],
    ["localhost/x", false],
    ["127.0.0.2", false],
    ["::1", false],
    ["example.com", false],
  ])("%j → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
