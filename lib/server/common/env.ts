import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parsePublicOrigins } from "./same-origin";

/**
 * Secrets and configuration. Secrets come from the environment; only the explicitly
 * local run (`FOYER_MODE=local`, an allow-list of one) may generate them, once, into
 * `.data/secrets.json` (mode 0600) and reuse them on restart.
 */
export const SECRET_VARIABLES = [
  "FOYER_SESSION_PASSWORD",
  "FOYER_TOKEN_SIGNING_KEY",
  "FOYER_GUEST_SESSION_PEPPER",
] as const;

export type SecretName = (typeof SECRET_VARIABLES)[number];
export type Secrets = Record<SecretName, string>;

/** Iron-session needs ≥ 32 characters; we ask the same of every secret. */
export const SECRET_MIN_LENGTH = 32;

/**
 * Modes allowed to generate secrets and to run without `FOYER_PUBLIC_ORIGIN`. Anything else,
 * unset included, must supply both.
 */
const LOCAL_MODES = new Set(["local"]);

/** Environment variables as read here: `process.env`, or a plain object in tests. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A positive number from `env[name]`, `fallback` when unset; a ConfigError naming it otherwise. */
export function readPositiveNumber(env: EnvVars, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`env: ${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

export function canGenerateSecrets(mode: string | undefined): boolean {
  return mode !== undefined && LOCAL_MODES.has(mode);
}

/**
 * The public origins (`FOYER_PUBLIC_ORIGIN`, comma-separated http(s) origins). Only local mode
 * may leave it unset, and then answers to loopback host names only (same-origin.ts): any
 * other mode throws a `ConfigError` naming the variable, as it does for a value that is not
 * a list of origins.
 */
export function requirePublicOrigins(env: EnvVars = process.env): string[] {
  let origins: string[];
  try {
    origins = parsePublicOrigins(env.FOYER_PUBLIC_ORIGIN);
  } catch {
    origins = [""];
  }
  if (origins.some((o) => !/^https?:\/\/[^/]+$/.test(o))) {
    throw new ConfigError(
      `env: FOYER_PUBLIC_ORIGIN must be comma-separated http(s) origins, got "${env.FOYER_PUBLIC_ORIGIN}"`,
    );
  }
  if (origins.length === 0 && !(env.FOYER_MODE !== undefined && LOCAL_MODES.has(env.FOYER_MODE))) {
    throw new ConfigError(
      "env: FOYER_PUBLIC_ORIGIN is not set. Set it to the origin browsers use " +
        "(e.g. https://chat.example.com; comma-separated for several). " +
        "Only FOYER_MODE=local may run without it, answering on localhost only.",
    );
  }
  return origins;
}

export function getDataDir(env: EnvVars = process.env): string {
  return path.resolve(env.FOYER_DATA_DIR ?? ".data");
}

function readSecretsFile(file: string): Partial<Secrets> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Partial<Secrets>;
  } catch {
    throw new ConfigError(
      `env: ${file} is not valid JSON; delete it to generate new local secrets`,
    );
  }
}

/**
 * Returns the three secrets. From the environment when set; otherwise, in local mode
 * only, from (or newly into) `<dataDir>/secrets.json`. Throws a `ConfigError` naming the
 * first missing or too-short variable.
 */
export function loadSecrets(env: EnvVars = process.env): Secrets {
  const local = canGenerateSecrets(env.FOYER_MODE);
  const file = path.join(getDataDir(env), "secrets.json");
  const stored = local ? readSecretsFile(file) : {};
  const secrets = {} as Secrets;
  let generated = false;
  for (const name of SECRET_VARIABLES) {
    let value = env[name] ?? stored[name];
    if (!value && local) {
      value = randomBytes(32).toString("base64url");
      generated = true;
    }
    if (!value) {
      throw new ConfigError(
        `env: ${name} is not set. Set it to a random value of at least ${SECRET_MIN_LENGTH} characters ` +
          `(only FOYER_MODE=local may generate secrets).`,
      );
    }
    if (value.length < SECRET_MIN_LENGTH) {
      throw new ConfigError(`env: ${name} must be at least ${SECRET_MIN_LENGTH} characters.`);
    }
    secrets[name] = value;
  }
  if (generated) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const toStore = Object.fromEntries(
      SECRET_VARIABLES.map((n) => [n, env[n] ? stored[n] : secrets[n]]),
    );
    writeFileSync(file, `${JSON.stringify({ ...stored, ...toStore }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return secrets;
}
