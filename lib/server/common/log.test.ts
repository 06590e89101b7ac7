import { describe, expect, it } from "vitest";
import { toLogLine } from "./log";

describe("toLogLine", () => {
  it("writes one JSON object with the event and fields", () => {
    const line = toLogLine("guest.created", { userId: "usr_1" }, new Date(0));
    expect(JSON.parse(line)).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      event: "guest.created",
      userId: "usr_1",
    });
  });

  it.each(["socketToken", "cookie", "guestSecret", "password", "Authorization"])(
    "redacts %s",
    (key) => {
      const line = toLogLine("x", { [key]: "value-that-must-not-leak" });
      expect(line).not.toContain("value-that-must-not-leak");
      expect(JSON.parse(line)[key]).toBe("[redacted]");
    },
  );
});
