import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Structured log events through pino: one JSON line per event on stdout,
 * `{"level":"info","time":"…","event":"guest.created",…fields}`. Callers pass ids and
 * outcomes only, never cookie values or tokens; keys that look like secrets are redacted as
 * a second line of defence, and no field can overwrite the line's own keys (a field named
 * `event` is written as `field_event`). `FOYER_LOG=silent` writes nothing. The events are
 * listed in docs/design.md.
 */
const SECRET_KEY = /(token|cookie|secret|password|pepper|authorization)/i;
const NESTED_SECRET_PATHS = [
  "cookie",
  "token",
  "socketToken",
  "password",
  "secret",
  "authorization",
  "set-cookie",
].map((key) => `*["${key}"]`);
/** The keys every line owns; a field of the same name is renamed, never let through. */
const RESERVED_KEYS = new Set(["event", "time", "level", "msg"]);

export type LogFields = Record<string, unknown>;

/**
 * A structured log sink: an event name and its fields (ids and outcomes, never cookie
 * values or tokens). {@link log} is the process's; tests pass their own to observe events.
 */
export type LogFn = (event: string, fields: LogFields) => void;

/** Pure: the fields as they may be written (secrets redacted, reserved keys renamed). */
export function toSafeFields(fields: LogFields): LogFields {
  const safe: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    const name = RESERVED_KEYS.has(key) ? `field_${key}` : key;
    safe[name] = SECRET_KEY.test(key) ? "[redacted]" : value;
  }
  return safe;
}

/** A pino logger writing Foyer's line format to `destination`. */
export function createLogger(destination?: DestinationStream): Logger {
  return pino(
    {
      base: undefined,
      messageKey: "event",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The same keys one level down (a headers object, say), for the second line of defence.
      redact: { paths: NESTED_SECRET_PATHS, censor: "[redacted]" },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The {@link LogFn} of a logger: the event becomes the line's `event`, after the fields. */
export function toLogFn(logger: Logger): LogFn {
  return (event, fields) => {
    if (process.env.FOYER_LOG === "silent") return;
    logger.info(toSafeFields(fields), event);
  };
}

// Next bundles this module once per entry; one logger (one stdout writer) per process.
const LOGGER_KEY = Symbol.for("foyer.logger");

function getProcessLogger(): Logger {
  const scope = globalThis as typeof globalThis & { [LOGGER_KEY]?: Logger };
  scope[LOGGER_KEY] ??= createLogger();
  return scope[LOGGER_KEY];
}

/** Logs `event` with `fields` on this process's stdout. */
export function log(event: string, fields: LogFields = {}): void {
  if (process.env.FOYER_LOG === "silent") return;
  getProcessLogger().info(toSafeFields(fields), event);
}
