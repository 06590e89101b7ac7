import { describe, expect, it } from "vitest";
import type { MergeSummary } from "../../shared/contracts/auth";
import { type ApiResult, postJson, retryMerge, signIn } from "./auth";

const MERGED: MergeSummary = { status: "merged", channels: 2, messages: 5, stars: 1 };
const unavailable: ApiResult<MergeSummary> = {
  kind: "error",
  code: "unavailable:merge",
  message: "later",
  status: 503,
};

/** Answers from a script, in order; records each call. */
function scripted(answers: ApiResult<MergeSummary>[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    attempt: async () => {
      const answer = answers[calls] ?? answers.at(-1)!;
      calls += 1;
      return answer;
    },
  };
}

describe("retryMerge", () => {
  it("stops at the first success and records it only then", async () => {
    const script = scripted([unavailable, unavailable, { kind: "ok", data: MERGED }]);
    const waits: number[] = [];
    const outcome = await retryMerge({
      attempt: script.attempt,
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(outcome).toEqual({ kind: "merged", summary: MERGED, attempts: 3 });
    expect(script.calls).toBe(3);
    // Exponential backoff with jitter: half of 400 ms, then half of 800 ms.
    expect(waits).toEqual([200, 400]);
  });

  it("gives up after a bounded number of attempts, reporting the last error", async () => {
    const script = scripted([unavailable]);
    const waits: number[] = [];
    const outcome = await retryMerge({
      attempt: script.attempt,
      maxAttempts: 5,
      baseDelayInMs: 1000,
      maxDelayInMs: 3000,
      random: () => 0.999,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(outcome).toEqual({
      kind: "failed",
      code: "unavailable:merge",
      message: "later",
      attempts: 5,
    });
    expect(script.calls).toBe(5);
    expect(waits).toEqual([999, 1998, 2997, 2997]);
  });

  it("does not retry what retrying cannot fix (signed out)", async () => {
    const script = scripted([
      { kind: "error", code: "unauthorized:session", message: "Sign in first.", status: 401 },
    ]);
    const outcome = await retryMerge({ attempt: script.attempt, sleep: async () => {} });
    expect(outcome).toMatchObject({ kind: "failed", code: "unauthorized:session", attempts: 1 });
    expect(script.calls).toBe(1);
  });

  it("spreads retries with full jitter (different random draws, different waits)", async () => {
    const draws = [0.1, 0.9, 0.3];
    const waits: number[] = [];
    await retryMerge({
      attempt: scripted([unavailable]).attempt,
      random: () => draws.shift() ?? 0,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(waits).toEqual([40, 720, 480]);
  });
});

describe("postJson", () => {
  const respond = (status: number, body?: unknown) => async () =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });

  it("reads field errors from a 400", async () => {
    const result = await signIn(
      { email: "a@b.test", password: "x" },
      respond(400, {
        error: { code: "bad_request:body", message: "bad", fields: { email: "Enter an email." } },
      }),
    );
    expect(result).toEqual({
      kind: "error",
      code: "bad_request:body",
      message: "bad",
      status: 400,
      fields: { email: "Enter an email." },
    });
  });

  it("turns a thrown fetch into network:client and an unreadable 200 into bad_response:client", async () => {
    const thrown = await postJson(
      "/x",
      {},
      () => 1,
      async () => {
        throw new TypeError("offline");
      },
    );
    expect(thrown).toMatchObject({ kind: "error", code: "network:client", status: 0 });
    const unreadable = await postJson("/x", {}, () => null, respond(200, { nope: true }));
    expect(unreadable).toMatchObject({ kind: "error", code: "bad_response:client" });
  });
});
