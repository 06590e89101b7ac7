import { describe, expect, it } from "vitest";
import { isSameOrigin, type OriginInput, parsePublicOrigins } from "./same-origin";

const HOST = "chat.example.com";

describe("isSameOrigin without configured public origins (Host decides)", () => {
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
