import {
  AnswerClient,
  type ReceivedAnswer,
  toFullTextBytes,
  toReceivedBytes,
} from "../lib/answer-client";
import { MODEL_AGENT_ID, nextTag, type UpstreamRecord } from "../lib/answer-script";
import { atMost, type Figure, type Row } from "../lib/figure";
import { startServerProcess } from "../lib/server-process";
import { closeAll, connectMany } from "../lib/sockets";
import { toSpread } from "../lib/stats";
import { readCpuSample, toStealShare } from "../lib/steal";
import type { BenchGuest } from "../servers/guests";

/** Answers streamed at once per case, each to a guest of its own: one sample each. */
const ANSWERS_PER_CASE = 8;
/** The upstream's wait before the first token (as B13's). */
const FIRST_TOKEN_MS = 200;
const GOAL = 0.5;

/** One shape of answer: how many tokens, how far apart the upstream writes them. */
interface AnswerCase {
  tokens: number;
  gapMs: number;
}

/** What one case measured, one entry per answer. */
interface CaseResult {
  answers: number;
  steal: number;
  /** Bytes to the client ÷ the upstream's SSE bytes. */
  ratios: number[];
  /** The same, had every push carried the whole text so far. */
  fullTextRatios: number[];
  clientBytes: number[];
  upstreamBytes: number[];
  pushes: number[];
  /** Mean payload bytes of the answer's `message:delta` frames. */
  bytesPerPush: number[];
  /** The upstream's mean gap between two tokens (its timers fire a little late). */
  gapMs: number[];
}

/** Streams `answerCase` to every client at once and compares what each got with what the upstream wrote. */
async function measureCase(
  clients: AnswerClient[],
  takeRecords: () => Promise<UpstreamRecord[]>,
  answerCase: AnswerCase,
): Promise<CaseResult> {
  const before = readCpuSample();
  const answers: ReceivedAnswer[] = await Promise.all(
    clients.map((client) =>
      client.ask({
        tag: nextTag("b12"),
        tokens: answerCase.tokens,
        firstTokenMs: FIRST_TOKEN_MS,
        gapMs: answerCase.gapMs,
      }),
    ),
  );
  const steal = toStealShare(before, readCpuSample());
  const records = new Map((await takeRecords()).map((r) => [r.tag, r]));
  const result: CaseResult = {
    answers: 0,
    steal,
    ratios: [],
    fullTextRatios: [],
    clientBytes: [],
    upstreamBytes: [],
    pushes: [],
    bytesPerPush: [],
    gapMs: [],
  };
  for (const answer of answers) {
    const record = records.get(answer.tag);
    if (answer.error || !record?.complete) {
      throw new Error(`B12: answer ${answer.tag} incomplete (${answer.error ?? "upstream"})`);
    }
    const received = toReceivedBytes(answer);
    const pushBytes = answer.pushes.reduce((sum, p) => sum + p.frameBytes, 0);
    result.answers += 1;
    result.ratios.push(received / record.bodyBytes);
    result.fullTextRatios.push(toFullTextBytes(answer) / record.bodyBytes);
    result.clientBytes.push(received);
    result.upstreamBytes.push(record.bodyBytes);
    result.pushes.push(answer.pushes.length);
    result.bytesPerPush.push(pushBytes / answer.pushes.length);
    const written = record.tokenWrittenAt;
    result.gapMs.push(((written.at(-1) ?? 0) - (written[0] ?? 0)) / (written.length - 1));
  }
  return result;
}

/**
 * B12: what streaming an answer costs one client, against what the model's own stream cost:
 * the payload bytes of every WebSocket frame one guest's socket receives for the answer
 * (each `message:delta` and the final `message:created`) ÷ the bytes of the upstream's SSE
 * body for that answer, as the fake upstream wrote them. The upstream is the fake OpenAI
 * server in a process of its own, the node's agent the openai-compatible one, tokens paced
 * by timers (so ~20 ms means 20 ms or a little more). Append-only pushes make the cost
 * grow with the answer: the 200- and 2,000-token rows should match. The info rows price
 * the design they replaced, every push carrying the whole text so far.
 */
export const b12: Figure = {
  id: "B12",
  title: "bytes to one client ÷ the upstream's SSE bytes, per answer (200 tokens ~20 ms apart)",
  async run(ctx) {
    const upstreamProcess = await startServerProcess("b12-upstream");
    const node = await startServerProcess("b12-node");
    try {
      await node.call("openStore", { databaseUrl: ctx.databaseUrl });
      const upstream = await upstreamProcess.call<{ url: string }>("startUpstream");
      const foyer = await node.call<{ url: string }>("startFoyer", {
        modelBaseURL: upstream.url,
      });
      const guests = await node.call<BenchGuest[]>("createGuests", { count: ANSWERS_PER_CASE });
      const sockets = await connectMany(
        foyer.url,
        guests.map((g) => g.token),
      );
      const clients = guests.map((g, i) => new AnswerClient(sockets[i]!, g.userId, MODEL_AGENT_ID));
      const takeRecords = () => upstreamProcess.call<UpstreamRecord[]>("takeUpstreamRecords");
      // Warm-up: connections to the upstream, the channels' rows, the JIT.
      await measureCase(clients, takeRecords, { tokens: 20, gapMs: 5 });
      ctx.progress("B12: 200 tokens ~20 ms apart");
      const short = await measureCase(clients, takeRecords, { tokens: 200, gapMs: 20 });
      ctx.progress("B12: 2,000 tokens ~20 ms apart (~40 s)");
      const long = await measureCase(clients, takeRecords, { tokens: 2_000, gapMs: 20 });
      ctx.progress("B12: 2,000 tokens ~5 ms apart");
      const fast = await measureCase(clients, takeRecords, { tokens: 2_000, gapMs: 5 });
      closeAll(sockets);
      const row = (
        result: CaseResult,
        figure: string,
        values: number[],
        extra: Partial<Row> = {},
      ): Row => ({
        id: "B12",
        figure,
        measured: toSpread(values),
        goal: "—",
        pass: null,
        rounds: result.answers,
        steal: result.steal,
        stealMaxWindow: result.steal,
        ...extra,
      });
      const goal = (values: number[]) => ({
        goal: `≤ ${GOAL.toFixed(2)}`,
        pass: atMost(GOAL)(toSpread(values)),
      });
      return [
        row(short, b12.title, short.ratios, goal(short.ratios)),
        row(long, "  the same, 2,000 tokens ~20 ms apart", long.ratios, goal(long.ratios)),
        row(fast, "  the same, 2,000 tokens ~5 ms apart", fast.ratios),
        row(
          short,
          "  had every push carried the whole text so far: 200 tokens",
          short.fullTextRatios,
        ),
        row(
          long,
          "  had every push carried the whole text so far: 2,000 tokens",
          long.fullTextRatios,
        ),
        row(long, "  bytes to one client per 2,000-token answer", long.clientBytes, {
          unit: "bytes",
        }),
        row(long, "  upstream SSE bytes per 2,000-token answer", long.upstreamBytes, {
          unit: "bytes",
        }),
        row(long, "  pushes per 2,000-token answer, ~20 ms apart", long.pushes, {
          unit: "count",
        }),
        row(fast, "  pushes per 2,000-token answer, ~5 ms apart", fast.pushes, {
          unit: "count",
        }),
        row(long, "  bytes per message:delta frame, ~20 ms apart", long.bytesPerPush, {
          unit: "bytes",
        }),
        row(long, "  the upstream's mean gap between tokens, paced 20 ms", long.gapMs, {
          unit: "ms",
        }),
        row(fast, "  the upstream's mean gap between tokens, paced 5 ms", fast.gapMs, {
          unit: "ms",
        }),
      ];
    } finally {
      await Promise.all([node.stop(), upstreamProcess.stop()]);
    }
  },
};
