/**
 * Structured log events: one JSON line per event on stdout. Callers pass ids and
 * outcomes only, never cookie values or tokens; keys that look like secrets are redacted
 * as a second line of defence.
 */
const SECRET_KEY = /(token|cookie|secret|password|pepper|authorization)/i;

export type LogFields = Record<string, unknown>;

/**
 * A structured log sink: an event name and its fields (ids and outcomes, never cookie
 * values or tokens). {@link log} is the process's; tests pass their own to observe events.
 */
export type LogFn = (event: string, fields: LogFields) => void;

export function toLogLine(event: string, fields: LogFields, now: Date = new Date()): string {
  const safe: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    safe[key] = SECRET_KEY.test(key) ? "[redacted]" : value;
  }
  return JSON.stringify({ time: now.toISOString(), event, ...safe });
}

export function log(event: string, fields: LogFields = {}): void {
  if (process.env.FOYER_LOG === "silent") return;
  process.stdout.write(`${toLogLine(event, fields)}\n`);
}
