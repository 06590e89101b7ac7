import { describe, expect, it } from "vitest";
import {
  createNonce,
  HSTS_VALUE,
  isHttpsSite,
  PERMISSIONS_POLICY,
  toContentSecurityPolicy,
  toSecurityHeaders,
  toSocketOrigins,
} from "./security-headers";

const NONCE = "bm9uY2Utb2YtdGhpcy1yZXF1ZXN0";

function directives(policy: string): Map<string, string> {
  return new Map(
    policy.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values.join(" ")];
    }),
  );
}

describe("toSecurityHeaders over http and https", () => {
  it.each([
    { https: false, hsts: undefined, upgrade: false },
    { https: true, hsts: HSTS_VALUE, upgrade: true },
  ])("https=$https → HSTS $hsts", ({ https, hsts, upgrade }) => {
    const headers = toSecurityHeaders({ nonce: NONCE, https, socketOrigins: [] });
    expect(headers["Strict-Transport-Security"]).toBe(hsts);
    expect(headers["Cross-Origin-Opener-Policy"]).toBe("same-origin");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["Permissions-Policy"]).toBe(PERMISSIONS_POLICY);
    const csp = directives(headers["Content-Security-Policy"] ?? "");
    expect(csp.has("upgrade-insecure-requests")).toBe(upgrade);
  });

  it("denies camera, microphone and geolocation to everyone", () => {
    for (const feature of ["camera", "microphone", "geolocation"]) {
      expect(PERMISSIONS_POLICY.split(", ")).toContain(`${feature}=()`);
    }
  });
});

describe("toContentSecurityPolicy", () => {
  const csp = directives(
    toContentSecurityPolicy({ nonce: NONCE, https: false, socketOrigins: ["ws://localhost:3000"] }),
  );

  it.each([
    ["script-src", `'self' 'nonce-${NONCE}' 'strict-dynamic'`],
    ["style-src", "'self' 'unsafe-inline'"],
    ["connect-src", "'self' ws://localhost:3000"],
    ["worker-src", "'self' blob:"],
    ["frame-ancestors", "'none'"],
    ["base-uri", "'none'"],
    ["object-src", "'none'"],
    ["form-action", "'self'"],
    ["default-src", "'self'"],
  ])("%s is %s", (name, value) => {
    expect(csp.get(name)).toBe(value);
  });

  it("allows eval only for the development server", () => {
    const dev = toContentSecurityPolicy({
      nonce: NONCE,
      https: false,
      socketOrigins: [],
      development: true,
    });
    expect(directives(dev).get("script-src")).toContain("'unsafe-eval'");
    expect([...csp.values()].join(" ")).not.toContain("unsafe-eval");
  });
});

describe("createNonce", () => {
  it("is base64 of 128 bits, and unique per request", () => {
    const nonces = Array.from({ length: 1000 }, () => createNonce());
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    }
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it("puts each request's own nonce in its policy", () => {
    const [a, b] = [createNonce(), createNonce()];
    const policyA = toContentSecurityPolicy({ nonce: a, https: false, socketOrigins: [] });
    const policyB = toContentSecurityPolicy({ nonce: b, https: false, socketOrigins: [] });
    expect(policyA).toContain(`'nonce-${a}'`);
    expect(policyA).not.toContain(b);
    expect(policyB).toContain(`'nonce-${b}'`);
  });
});

describe("isHttpsSite", () => {
  it.each([
    [[], false],
    [["http://localhost:3000"], false],
    [["https://chat.example.com"], true],
    [["https://chat.example.com", "http://chat.example.com"], false],
  ])("%j → %s", (origins, expected) => {
    expect(isHttpsSite(origins)).toBe(expected);
  });
});

describe("toSocketOrigins", () => {
  it.each([
    [["https://chat.example.com"], "evil.example", false, ["wss://chat.example.com"]],
    [["http://localhost:3100"], null, false, ["ws://localhost:3100"]],
    [[], "localhost:3000", false, ["ws://localhost:3000"]],
    [[], "LOCALHOST:3000", true, ["wss://localhost:3000"]],
    [[], "[::1]:3000", false, ["ws://[::1]:3000"]],
    // Text that could add a directive or a source never reaches the policy.
    [[], "localhost; script-src *", false, []],
    [[], "a.example *", false, []],
    [[], null, false, []],
  ])("%j, Host %j, https=%s → %j", (origins, host, https, expected) => {
    expect(toSocketOrigins(origins, host, https)).toEqual(expected);
  });
});
