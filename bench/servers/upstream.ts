import { createAnswerTokens } from "../../lib/server/agents/testing/fake-openai-behaviours";
import {
  type FakeOpenAI,
  startFakeOpenAI,
  toLastUserText,
} from "../../lib/server/agents/testing/fake-openai-server";
import type { AnswerScript, UpstreamRecord } from "../lib/answer-script";
import { parseAnswerScript } from "../lib/answer-script";
import { monoMs } from "../lib/clock";

/**
 * The bench's model upstream: the fake OpenAI server (a real HTTP server streaming SSE) in a
 * bench server process of its own, so that neither the node nor the clients share its event
 * loop. Each chat completion follows the script its last user message carries (tokens,
 * pacing; `bench/lib/answer-script.ts`), and its times are on CLOCK_MONOTONIC (`monoMs`),
 * which the bench process reads too.
 */
export interface BenchUpstream {
  url: string;
  /** The records of the completions answered since the last call, by script tag. */
  take(): UpstreamRecord[];
  close(): Promise<void>;
}

/** Token lists by count, built once (a 2,000-token list is reused by every answer). */
const tokenLists = new Map<number, string[]>();
function tokensOf(count: number): string[] {
  let tokens = tokenLists.get(count);
  if (!tokens) {
    tokens = createAnswerTokens(count);
    tokenLists.set(count, tokens);
  }
  return tokens;
}

export async function startBenchUpstream(): Promise<BenchUpstream> {
  /** When each request's body had arrived (monoMs), and the script it follows. */
  const arrivals = new Map<object, { at: number; script: AnswerScript }>();
  const fake: FakeOpenAI = await startFakeOpenAI({
    now: monoMs,
    behaviourFor(request) {
      const script = parseAnswerScript(toLastUserText(request.body));
      if (!script) return { kind: "status", status: 400 };
      arrivals.set(request, { at: monoMs(), script });
      return {
        kind: "normal",
        tokens: tokensOf(script.tokens),
        firstTokenDelayMs: script.firstTokenMs,
        tokenDelayMs: script.gapMs,
        usage: true,
      };
    },
  });
  return {
    url: fake.url,
    take() {
      const records: UpstreamRecord[] = [];
      // Only completions that ended: one still streaming stays for the next call.
      const isOver = (r: (typeof fake.requests)[number]) =>
        r.endedAt !== null || r.closedByClientAt !== null;
      const ended = fake.requests.filter(isOver);
      const open = fake.requests.filter((r) => !isOver(r));
      fake.requests.splice(0, fake.requests.length, ...open);
      for (const request of ended) {
        const arrival = arrivals.get(request);
        arrivals.delete(request);
        if (!arrival) continue;
        records.push({
          tag: arrival.script.tag,
          receivedAt: arrival.at,
          bodyBytes: request.bodyBytes,
          tokenWrittenAt: request.tokenWrittenAt,
          complete: request.endedAt !== null,
        });
      }
      return records;
    },
    close: () => fake.close(),
  };
}
