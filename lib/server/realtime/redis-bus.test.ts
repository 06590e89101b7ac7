import { afterEach, describe, expect, it } from "vitest";
import { withHandledCommands } from "./redis-bus";

class FakeClient {
  #sent: string[] = [];
  failing = false;
  async publish(channel: string, message: string): Promise<number> {
    if (this.failing) throw new Error("Socket closed unexpectedly");
    this.#sent.push(`${channel}:${message}`);
    return 1;
  }
  sent(): string[] {
    return this.#sent;
  }
}

describe("withHandledCommands", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
    unhandled.length = 0;
  });

  it("passes publishes and other methods through to the real client (private fields intact)", async () => {
    const client = new FakeClient();
    const wrapped = withHandledCommands(client, new Set(["publish"]), () => {});
    await expect(wrapped.publish("c", "m")).resolves.toBe(1);
    expect(wrapped.sent()).toEqual(["c:m"]);
    expect(wrapped.constructor.name).toBe("FakeClient");
  });

  it("logs a failed publish whose promise nobody awaits, instead of an unhandled rejection", async () => {
    process.on("unhandledRejection", onUnhandled);
    const client = new FakeClient();
    client.failing = true;
    const logged: [string, Record<string, unknown>][] = [];
    const wrapped = withHandledCommands(
      client,
      new Set(["publish"]),
      (event, fields) => void logged.push([event, fields]),
    );
    // What the adapter does: call and drop the promise.
    void wrapped.publish("c", "m");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
    expect(logged).toEqual([
      ["bus.command_failed", { command: "publish", error: "Socket closed unexpectedly" }],
    ]);
  });
});
