import { Writable } from "node:stream";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger, toLogFn, toSafeFields } from "./log";

/** A LogFn writing to memory, and the lines it wrote, parsed. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const log = toLogFn(createLogger(destination));
  return { log, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

beforeEach(() => vi.stubEnv("FOYER_LOG", ""));

describe("log lines (pino)", () => {
  it("writes one JSON object with the level, the time, the event and the fields", () => {
    const { log, lines } = capture();
    log("guest.created", { userId: "usr_1" });
    const [line] = lines();
    expect(line).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      event: "guest.created",
      userId: "usr_1",
    });
  });

  it.each(["event", "time", "level", "msg"])(
    "never lets a field named %s overwrite its key",
    (key) => {
      const { log, lines } = capture();
      log("gateway.event_refused", { [key]: "message:send", code: "revoked:session" });
      const [line] = lines();
      expect(line?.event).toBe("gateway.event_refused");
      expect(line?.[`field_${key}`]).toBe("message:send");
      if (key !== "event") expect(line?.[key]).not.toBe("message:send");
    },
  );

  it.each(["socketToken", "cookie", "guestSecret", "password", "Authorization"])(
    "redacts %s",
    (key) => {
      const { log, lines } = capture();
      log("x", { [key]: "value-that-must-not-leak" });
      expect(JSON.stringify(lines())).not.toContain("value-that-must-not-leak");
      expect(lines()[0]?.[key]).toBe("[redacted]");
    },
  );

  it("redacts secret keys one level down too", () => {
    const { log, lines } = capture();
    log("x", { headers: { cookie: "value-that-must-not-leak", host: "a" } });
    expect(JSON.stringify(lines())).not.toContain("value-that-must-not-leak");
    expect(lines()[0]?.headers).toEqual({ cookie: "[redacted]", host: "a" });
  });

  it("writes nothing with FOYER_LOG=silent", () => {
    vi.stubEnv("FOYER_LOG", "silent");
    const { log, lines } = capture();
    log("x", {});
    expect(lines()).toEqual([]);
  });
});

describe("toSafeFields", () => {
  it("keeps ordinary fields as they are", () => {
    expect(toSafeFields({ userId: "usr_1", count: 2, nested: { a: 1 } })).toEqual({
      userId: "usr_1",
      count: 2,
      nested: { a: 1 },
    });
  });
});
