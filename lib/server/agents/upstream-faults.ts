/**
 * Every way a call to an OpenAI-compatible model can fail, as the `AgentError` a person
 * reads. The messages are Foyer's own: never the upstream's body (it may echo the key), never
 * the key, never a URL.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { AgentError } from "./types";

/**
 * How long an upstream asked to wait, from `retry-after-ms` (milliseconds) or `retry-after`
 * (seconds, or an HTTP date); undefined without a usable one.
 */
export function toRetryAfterMs(
  headers: Pick<Headers, "get"> | undefined,
  now = Date.now(),
): number | undefined {
  const inMs = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(inMs) && inMs >= 0) return Math.ceil(inMs);
  const raw = headers?.get("retry-after")?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) * 1000);
  // An HTTP date has a weekday and a month in words; Date.parse would take "-5" as a year.
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `upstream_rate_limited`, saying how long to wait when that is known. */
export function toRateLimitedError(retryAfterMs: number | undefined): AgentError {
  const wait =
    retryAfterMs === undefined
      ? "in a moment"
      : `in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
  return new AgentError("upstream_rate_limited", `The model is busy. Try again ${wait}.`, {
    retryAfterMs,
    status: 429,
  });
}

/** What a watchdog gave up on: no first chunk in time, or chunks stopped coming. */
export function toWatchdogError(code: "upstream_timeout" | "upstream_stalled"): AgentError {
  return code === "upstream_timeout"
    ? new AgentError(code, "The model took too long to start answering.")
    : new AgentError(code, "The model stopped answering partway through.");
}

/** A chunk that is not the protocol: not JSON, or without `choices`. */
export function toMalformedError(): AgentError {
  return new AgentError(
    "upstream_malformed",
    "The model service sent something Foyer cannot read.",
  );
}

/** The stream ended (or dropped) before a finish reason came. */
export function toIncompleteError(cause?: unknown): AgentError {
  return new AgentError("upstream_incomplete", "The answer was cut off before it finished.", {
    cause: toCodeOnly(cause),
  });
}

/**
 * The system error code of `error` (e.g. `ECONNREFUSED`), found along its causes, as an Error
 * holding only that code: enough for a log, nothing an upstream wrote.
 */
function toCodeOnly(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") return undefined;
    const code = "code" in current ? current.code : undefined;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code)) return new Error(code);
    current = "cause" in current ? current.cause : undefined;
  }
  return undefined;
}

/**
 * The AgentError for what sending the request threw (no response, or an HTTP error status).
 * `keySent`: whether a key went with it, so a 401 can say which problem it is.
 */
export function toRequestFault(error: unknown, keySent: boolean): AgentError {
  if (error instanceof APIConnectionTimeoutError) return toWatchdogError("upstream_timeout");
  if (error instanceof APIConnectionError) {
    return new AgentError("upstream_unreachable", "The model service cannot be reached.", {
      cause: toCodeOnly(error),
    });
  }
  if (!(error instanceof APIError)) {
    return new AgentError("agent_failed", "The agent failed before it could answer.");
  }
  const status = error.status;
  if (status === undefined) return toServiceError(undefined);
  if (status === 401 || status === 403) {
    const message = keySent
      ? "The model service refused Foyer's key."
      : "The model service wants a key, and Foyer has none for it.";
    return new AgentError("upstream_auth", message, { status });
  }
  if (status === 404) {
    return new AgentError("upstream_not_found", "The model service does not have this model.", {
      status,
    });
  }
  if (status === 429) return toRateLimitedError(toRetryAfterMs(error.headers));
  return toServiceError(status);
}

/** `upstream_error` for a status Foyer has no better word for, or an error sent mid-stream. */
function toServiceError(status: number | undefined): AgentError {
  if (status === undefined) {
    return new AgentError("upstream_error", "The model service failed partway through the answer.");
  }
  const message =
    status >= 500
      ? `The model service failed (HTTP ${status}). Try again later.`
      : `The model service turned the request down (HTTP ${status}).`;
  return new AgentError("upstream_error", message, { status });
}

/** The AgentError for what reading the stream threw. */
export function toStreamFault(error: unknown): AgentError {
  if (error instanceof SyntaxError) return toMalformedError();
  if (error instanceof APIError) return toServiceError(error.status);
  return toIncompleteError(error);
}
