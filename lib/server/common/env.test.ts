import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  canGenerateSecrets,
  loadSecrets,
  requirePublicOrigins,
  SECRET_VARIABLES,
} from "./env";

const strong = "s".repeat(40);
const full = Object.fromEntries(SECRET_VARIABLES.map((n) => [n, strong]));
const tempDir = () => mkdtempSync(path.join(tmpdir(), "foyer-env-"));

describe("canGenerateSecrets (allow-list)", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["production", false],
    ["development", false],
    ["test", false],
    ["LOCAL", false],
    ["local ", false],
    ["local", true],
  ])("%j → %s", (mode, expected) => {
    expect(canGenerateSecrets(mode)).toBe(expected);
  });
});

describe("loadSecrets", () => {
  it("uses the environment when every secret is set", () => {
    expect(loadSecrets({ ...full, FOYER_DATA_DIR: tempDir() })).toEqual(full);
  });

  it.each(SECRET_VARIABLES)(
    "fails at once naming %s when it is missing outside local mode",
    (name) => {
      const env = { ...full, FOYER_DATA_DIR: tempDir(), FOYER_MODE: "production" };
      delete (env as Record<string, string>)[name];
      expect(() => loadSecrets(env)).toThrow(ConfigError);
      expect(() => loadSecrets(env)).toThrow(name);
    },
  );

  it("treats an unset mode as not local", () => {
    expect(() => loadSecrets({ FOYER_DATA_DIR: tempDir() })).toThrow("FOYER_SESSION_PASSWORD");
  });

  it("rejects a short secret", () => {
    const env = { ...full, FOYER_TOKEN_SIGNING_KEY: "short", FOYER_DATA_DIR: tempDir() };
    expect(() => loadSecrets(env)).toThrow("FOYER_TOKEN_SIGNING_KEY must be at least");
  });

  it("generates local secrets once, mode 0600, and reuses them on restart", () => {
    const dir = tempDir();
    const first = loadSecrets({ FOYER_MODE: "local", FOYER_DATA_DIR: dir });
    const file = path.join(dir, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadSecrets({ FOYER_MODE: "local", FOYER_DATA_DIR: dir });
    expect(second).toEqual(first);
    expect(new Set(Object.values(first)).size).toBe(3);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(first);
  });

  it("lets the environment override a stored local secret", () => {
    const dir = tempDir();
    loadSecrets({ FOYER_MODE: "local", FOYER_DATA_DIR: dir });
    const env = { FOYER_MODE: "local", FOYER_DATA_DIR: dir, FOYER_SESSION_PASSWORD: strong };
    expect(loadSecrets(env).FOYER_SESSION_PASSWORD).toBe(strong);
  });
});

describe("requirePublicOrigins", () => {
  it.each([
    [{ FOYER_MODE: "local" }, []],
    [{ FOYER_MODE: "local", FOYER_PUBLIC_ORIGIN: "" }, []],
    [{ FOYER_PUBLIC_ORIGIN: "https://chat.example.com/" }, ["https://chat.example.com"]],
    [
      { FOYER_MODE: "production", FOYER_PUBLIC_ORIGIN: "http://localhost:3100, https://a.example" },
      ["http://localhost:3100", "https://a.example"],
    ],
  ])("%j → %j", (env, expected) => {
    expect(requirePublicOrigins(env)).toEqual(expected);
  });

  it.each([
    {},
    { FOYER_MODE: "" },
    { FOYER_MODE: "production" },
    { FOYER_MODE: "LOCAL" },
    { FOYER_MODE: "production", FOYER_PUBLIC_ORIGIN: " , " },
  ])("refuses to start without it outside local mode, naming it: %j", (env) => {
    expect(() => requirePublicOrigins(env)).toThrow(ConfigError);
    expect(() => requirePublicOrigins(env)).toThrow(/FOYER_PUBLIC_ORIGIN is not set/);
  });

  it.each(["not a url", "ftp://files.example", "chat.example.com", "https://a.example,nope"])(
    "refuses a value that is not a list of http(s) origins: %j",
    (value) => {
      const env = { FOYER_MODE: "local", FOYER_PUBLIC_ORIGIN: value };
      expect(() => requirePublicOrigins(env)).toThrow(ConfigError);
      expect(() => requirePublicOrigins(env)).toThrow("FOYER_PUBLIC_ORIGIN");
    },
  );
});
