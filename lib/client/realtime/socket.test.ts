import { describe, expect, it } from "vitest";
import {
  type AckEmitter,
  emitOrThrow,
  emitWithAck,
  isRetryableAckError,
  RealtimeAckError,
  requireOk,
  toRetryDelay,
  toTokenSubject,
  whenConnected,
} from "./socket";

function stubSocket(answer: (event: string, payload: unknown) => [Error | null, unknown] | null) {
  const seen: { event: string; payload: unknown; timeout: number }[] = [];
  const socket: AckEmitter = {
    timeout: (ms) => ({
      emit: (event, payload, cb) => {
        seen.push({ event, payload, timeout: ms });
        const result = answer(event, payload);
        if (result) queueMicrotask(() => cb(result[0], result[1]));
      },
    }),
  };
  return { socket, seen };
}

describe("emitWithAck", () => {
  it("resolves to the server's ack", async () => {
    const { socket, seen } = stubSocket(() => [null, { status: "OK", data: { agents: [] } }]);
    expect(await emitWithAck(socket, "agent:list", {}, 1234)).toEqual({
      status: "OK",
      data: { agents: [] },
    });
    expect(seen).toEqual([{ event: "agent:list", payload: {}, timeout: 1234 }]);
  });

  it("turns a timeout and a malformed ack into ERROR acks", async () => {
    const timedOut = stubSocket(() => [new Error("operation has timed out"), undefined]);
    expect(await emitWithAck(timedOut.socket, "agent:list", {})).toMatchObject({
      status: "ERROR",
      code: "timeout:ack",
    });
    const malformed = stubSocket(() => [null, "yes"]);
    expect(await emitWithAck(malformed.socket, "agent:list", {})).toMatchObject({
      status: "ERROR",
      code: "bad_response:ack",
    });
  });

  it("emitOrThrow throws the ack's code", async () => {
    const { socket } = stubSocket(() => [
      null,
      {
        status: "ERROR",
        code: "forbidden:channel",
        message: "Channel access denied. User is not a participant",
      },
    ]);
    const error = await emitOrThrow(socket, "channel:join", { agentId: "a1" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RealtimeAckError);
    expect((error as RealtimeAckError).code).toBe("forbidden:channel");
    expect(isRetryableAckError(error)).toBe(false);
    expect(isRetryableAckError(new RealtimeAckError("timeout:ack", "t"))).toBe(true);
    // A send over the concurrency cap of answers goes out once an earlier answer ended.
    expect(
      isRetryableAckError(new RealtimeAckError("quota_exceeded:concurrent_generations", "c")),
    ).toBe(true);
    expect(isRetryableAckError(new RealtimeAckError("quota_exceeded:agent_messages", "a"))).toBe(
      false,
    );
  });
});

describe("toTokenSubject", () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it("reads the sub claim of a JWT without verifying it", () => {
    expect(toTokenSubject(`${encode({ alg: "HS256" })}.${encode({ sub: "usr_a1" })}.sig`)).toBe(
      "usr_a1",
    );
  });

  it("answers null for anything that is not a readable token", () => {
    for (const token of ["", "abc", "a.!!!.c", `a.${encode({ sub: 7 })}.c`, `a.${encode("x")}.c`]) {
      expect(toTokenSubject(token)).toBeNull();
    }
  });
});

describe("whenConnected", () => {
  function fakeSocket() {
    const listeners = new Map<string, () => void>();
    return {
      connected: false,
      active: true,
      once: (event: string, cb: () => void) => void listeners.set(event, cb),
      off: (event: string) => void listeners.delete(event),
      fire: (event: string) => listeners.get(event)?.(),
    };
  }

  it("resolves at once when connected, or when the same socket connects again", async () => {
    const socket = fakeSocket();
    socket.connected = true;
    await expect(whenConnected(socket as never)).resolves.toBeUndefined();
    socket.connected = false;
    const waiting = whenConnected(socket as never, 5_000);
    socket.connected = true;
    socket.fire("connect");
    await expect(waiting).resolves.toBeUndefined();
  });

  it("gives up when the socket is torn down for good (an identity change), or on timeout", async () => {
    const torn = fakeSocket();
    const waiting = whenConnected(torn as never, 5_000);
    torn.active = false;
    await expect(waiting).rejects.toMatchObject({ code: "timeout:ack" });
    await expect(whenConnected(fakeSocket() as never, 20)).rejects.toMatchObject({
      code: "timeout:ack",
    });
  });
});

describe("toRetryDelay", () => {
  const limited = (retryAfterMs?: number) =>
    new RealtimeAckError("rate_limited:socket", "too fast", retryAfterMs);
  it.each<[string, unknown, number]>([
    ["the server's wait for a rate limit, plus jitter", limited(700), 750],
    ["a wait of 0", limited(0), 50],
    ["a wait past the bound is cut to 30 s", limited(3_600_000), 30_050],
    ["a rate limit without a wait: the fallback", limited(undefined), 1_000],
    ["a negative wait: the fallback", limited(-5), 1_000],
    ["another code: the fallback", new RealtimeAckError("timeout:ack", "no ack", 700), 1_000],
    ["not an ack error: the fallback", new Error("x"), 1_000],
  ])("%s", (_name, error, delay) => {
    expect(toRetryDelay(error, 1_000, () => 0.5)).toBe(delay);
  });
});

describe("requireOk", () => {
  it("carries the server's retryAfterMs on a rate limit", () => {
    const ack = {
      status: "ERROR" as const,
      code: "rate_limited:socket" as const,
      message: "too fast",
      retryAfterMs: 420,
    };
    expect(() => requireOk(ack)).toThrow(RealtimeAckError);
    try {
      requireOk(ack);
    } catch (error) {
      expect((error as RealtimeAckError).retryAfterMs).toBe(420);
    }
  });
});
