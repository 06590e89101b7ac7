import { Pool } from "undici";

/**
 * One keep-alive undici `Pool` to the session authority and the typed POST over it
 * (docs/design.md §9: the global `fetch` measured 5× slower for this hop).
 * Failures are thrown as {@link AuthorityCallError}, classified so callers can map them
 * to 503/504/502. The process-wide instance lives in authority-client.ts.
 */

/** Connect, response-headers and response-body timeouts, each. */
export const AUTHORITY_TIMEOUT_IN_MS = 3_000;
/** Largest authority response body read; a longer one is treated as malformed. */
export const AUTHORITY_MAX_RESPONSE_IN_BYTES = 64 * 1024;

/** `refused`: nothing listens (503). `timeout`: no answer in time (504). `other`: broken exchange (502). */
export type AuthorityFailure = "refused" | "timeout" | "other";

export class AuthorityCallError extends Error {
  override name = "AuthorityCallError";
  constructor(
    readonly failure: AuthorityFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface AuthorityRequest {
  /** Path under the base URL, e.g. `/v1/guest-session`. Always a POST with a JSON body. */
  path: `/${string}`;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
  /** Overrides {@link AUTHORITY_TIMEOUT_IN_MS} for the headers and body of this call. */
  timeoutInMs?: number;
}

export interface AuthorityResponse {
  status: number;
  /** Lower-case names; repeated headers (other than Set-Cookie) joined with ", ". */
  headers: Record<string, string>;
  /** Every `Set-Cookie` header, one entry each, never folded into one line. */
  setCookie: string[];
  /** The parsed JSON body; undefined when empty, not JSON, unparseable or too large. */
  body: unknown;
}

export interface AuthorityClient {
  call(request: AuthorityRequest): Promise<AuthorityResponse>;
  close(): Promise<void>;
}

const REFUSED_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);
const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/** Classifies an error thrown by undici (the code may sit on the error or on its cause). */
export function toAuthorityFailure(error: unknown): AuthorityFailure {
  for (
    let e: unknown = error, depth = 0;
    e && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (REFUSED_CODES.has(code)) return "refused";
    if (TIMEOUT_CODES.has(code)) return "timeout";
  }
  return "other";
}

function isJsonMediaType(value: string | undefined): boolean {
  const type = value?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || type.endsWith("+json");
}

function toHeaders(raw: Record<string, string | string[] | undefined>) {
  const headers: Record<string, string> = {};
  let setCookie: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === "set-cookie") {
      setCookie = Array.isArray(value) ? [...value] : [value];
    } else {
      headers[key] = Array.isArray(value) ? value.join(", ") : value;
    }
  }
  return { headers, setCookie };
}

async function readJson(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  contentType?: string,
) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > AUTHORITY_MAX_RESPONSE_IN_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  if (size === 0 || !isJsonMediaType(contentType)) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** A client of its own (tests, or a caller that must not share the process pool). */
export function createAuthorityClient(
  baseUrl: string,
  timeoutInMs = AUTHORITY_TIMEOUT_IN_MS,
): AuthorityClient {
  const url = new URL(baseUrl);
  const prefix = url.pathname.replace(/\/+$/, "");
  const pool = new Pool(url.origin, {
    connect: { timeout: timeoutInMs },
    headersTimeout: timeoutInMs,
    bodyTimeout: timeoutInMs,
  });
  return {
    async call({ path, body, headers = {}, timeoutInMs: timeout = timeoutInMs }) {
      try {
        const res = await pool.request({
          method: "POST",
          path: `${prefix}${path}`,
          headers: { ...headers, "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(body ?? {}),
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        const { headers: resHeaders, setCookie } = toHeaders(res.headers);
        const json = await readJson(res.body, resHeaders["content-type"]);
        return { status: res.statusCode, headers: resHeaders, setCookie, body: json };
      } catch (error) {
        const failure = toAuthorityFailure(error);
        const code = (error as { code?: unknown }).code;
        // Undici errors carry no request headers, so no cookie value can leak through here.
        throw new AuthorityCallError(
          failure,
          `authority-http: POST ${path} failed (${failure}${typeof code === "string" ? `, ${code}` : ""})`,
        );
      }
    },
    close: () => pool.close(),
  };
}
