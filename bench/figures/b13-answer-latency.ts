import { createAnswerTokens } from "../../lib/server/agents/testing/fake-openai-behaviours";
import { createCoalescer, PUSH_WINDOW_IN_MS } from "../../lib/server/realtime/answers/coalescer";
import { AnswerClient, type ReceivedAnswer } from "../lib/answer-client";
import {
  type AnswerScript,
  MODEL_AGENT_ID,
  nextTag,
  toTokenEnds,
  type UpstreamRecord,
} from "../lib/answer-script";
import { monoMs } from "../lib/clock";
import { atMost, type Figure, type Row, toPairRatios, toRow } from "../lib/figure";
import { runInterleaved } from "../lib/interleave";
import type { LeanSocket } from "../lib/lean-socket";
import { readProcessCpuMs, readRunQueueWaitMs } from "../lib/process-cpu";
import { type ServerProcess, startServerProcess } from "../lib/server-process";
import { closeAll, connectMany } from "../lib/sockets";
import { createSseClient, type SseClient, type StreamedAnswer } from "../lib/sse-client";
import { quantile } from "../lib/stats";
import type { BenchGuest } from "../servers/guests";

/** Concurrent answers on the one node. */
const STREAMS = 100;
/** The upstream's pacing: 200 ms to the first token, then one every 20 ms. */
const SCRIPT = { tokens: 50, firstTokenMs: 200, gapMs: 20 } as const;
/** How long one answer takes at the upstream. */
const ANSWER_MS = SCRIPT.firstTokenMs + (SCRIPT.tokens - 1) * SCRIPT.gapMs;
/** Where each token of the answer ends in its text, to find the push that holds it. */
const TOKEN_ENDS = toTokenEnds(createAnswerTokens(SCRIPT.tokens));
/** Sizing: stream counts tried after `STREAMS` while the push p99 stays within the bound… */
const SIZING_STEPS_UP = [200, 400, 800, 1_600];
/** …or, when `STREAMS` is already past it, until it holds. */
const SIZING_STEPS_DOWN = [50, 25];
const SIZING_P99_BOUND_IN_MS = 50;

/** What one window of one arm measured. */
interface StreamWindow {
  /** Token written by the upstream → the client read it (a push, or an SSE event). */
  pushP50: number;
  pushP99: number;
  /** The push window's share: the same tokens replayed through the coalescer alone. */
  windowP50: number;
  windowP99: number;
  /** Question sent → first token read by the client. */
  firstTokenP50: number;
  /** Question sent → the request's body at the upstream. */
  toUpstreamP50: number;
  tokensPerSecond: number;
  /** The node's CPU time over the window ÷ its length (0 in the floor arm). */
  nodeCores: number;
  /** The node's CPU time per token it pushed (NaN in the floor arm). */
  nodeCpuPerTokenMs: number;
  /** Share of the window the node's main thread was runnable but waited for a CPU. */
  nodeRunQueueShare: number;
  /** The same for the bench process, whose clients read the pushes (or the SSE events). */
  clientRunQueueShare: number;
  answers: number;
  errors: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `workers` loops, each asking one question at a time until `ms` have passed (an answer
 * started before then is read to its end). Their starts are spread over one answer's
 * length, so that answers begin and end all the time rather than in one burst.
 */
async function runStreams<T>(
  workers: number,
  ms: number,
  ask: (worker: number, script: AnswerScript) => Promise<T>,
): Promise<{ answers: T[]; seconds: number }> {
  const started = monoMs();
  const deadline = started + ms;
  const answers: T[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      await sleep((ANSWER_MS * w) / workers);
      while (monoMs() < deadline) {
        answers.push(await ask(w, { tag: nextTag("b13"), ...SCRIPT }));
      }
    }),
  );
  return { answers, seconds: (monoMs() - started) / 1000 };
}

/**
 * What the push window alone makes each token wait: the upstream's write times replayed
 * through the node's own coalescer on a virtual clock, as if each token reached the node
 * the moment it was written and every push left at once.
 */
function replayCoalescer(writtenAt: readonly number[]): number[] {
  const waits: number[] = [];
  let now = 0;
  let timer: { at: number; fire: () => void } | null = null;
  let waiting: number[] = [];
  const coalescer = createCoalescer({
    windowInMs: PUSH_WINDOW_IN_MS,
    now: () => now,
    schedule(fire, ms) {
      const scheduled = { at: now + ms, fire };
      timer = scheduled;
      return () => {
        if (timer === scheduled) timer = null;
      };
    },
    emit() {
      for (const i of waiting) waits.push(now - (writtenAt[i] as number));
      waiting = [];
    },
  });
  const runTimersUntil = (until: number) => {
    while (timer && timer.at <= until) {
      const { at, fire } = timer;
      timer = null;
      now = at;
      fire();
    }
  };
  writtenAt.forEach((at, i) => {
    runTimersUntil(at);
    now = at;
    waiting.push(i);
    coalescer.push("x");
  });
  runTimersUntil(Number.POSITIVE_INFINITY);
  return waits;
}

/** The window's numbers from per-token latencies and per-answer first-token times. */
function toWindow(
  tokenLatencies: number[],
  windowWaits: number[],
  firstTokens: number[],
  toUpstream: number[],
  seconds: number,
  node: { cpuMs: number; waitMs: number },
  clientWaitMs: number,
  answers: number,
  errors: number,
): StreamWindow {
  return {
    pushP50: quantile(tokenLatencies, 0.5),
    pushP99: quantile(tokenLatencies, 0.99),
    windowP50: quantile(windowWaits, 0.5),
    windowP99: quantile(windowWaits, 0.99),
    firstTokenP50: quantile(firstTokens, 0.5),
    toUpstreamP50: quantile(toUpstream, 0.5),
    tokensPerSecond: tokenLatencies.length / seconds,
    nodeCores: node.cpuMs / (seconds * 1000),
    nodeCpuPerTokenMs: node.cpuMs > 0 ? node.cpuMs / tokenLatencies.length : Number.NaN,
    nodeRunQueueShare: node.waitMs / (seconds * 1000),
    clientRunQueueShare: clientWaitMs / (seconds * 1000),
    answers,
    errors,
  };
}

/**
 * Each token's latency through Foyer: from the upstream writing it to the client reading the
 * push that holds it (the first push whose text reaches the token's last character).
 */
function toPushLatencies(answer: ReceivedAnswer, record: UpstreamRecord): number[] {
  const latencies: number[] = [];
  let token = 0;
  for (const push of answer.pushes) {
    const end = push.offset + push.text.length;
    while (token < TOKEN_ENDS.length && (TOKEN_ENDS[token] as number) <= end) {
      latencies.push(push.at - (record.tokenWrittenAt[token] as number));
      token += 1;
    }
  }
  return latencies;
}

/** The bench's side of B13: the node, the upstream and the clients of both arms. */
interface Rig {
  node: ServerProcess;
  upstream: ServerProcess;
  foyerUrl: string;
  upstreamUrl: string;
  guests: BenchGuest[];
  sockets: LeanSocket[];
  clients: AnswerClient[];
  sse: SseClient | null;
}

/** As many guests and sockets as `streams` need (kept for the next, larger step). */
async function ensureClients(rig: Rig, streams: number): Promise<void> {
  if (rig.guests.length < streams) {
    const more = await rig.node.call<BenchGuest[]>("createGuests", {
      count: streams - rig.guests.length,
    });
    const sockets = await connectMany(
      rig.foyerUrl,
      more.map((g) => g.token),
    );
    rig.guests.push(...more);
    rig.sockets.push(...sockets);
    rig.clients.push(
      ...more.map((g, i) => new AnswerClient(sockets[i] as LeanSocket, g.userId, MODEL_AGENT_ID)),
    );
  }
  await rig.sse?.close();
  rig.sse = createSseClient(rig.upstreamUrl, streams);
}

const takeRecords = async (rig: Rig) =>
  new Map(
    (await rig.upstream.call<UpstreamRecord[]>("takeUpstreamRecords")).map((r) => [r.tag, r]),
  );

/** Arm A: `streams` guests asking the node's model agent. */
async function runFoyerArm(rig: Rig, streams: number, ms: number): Promise<StreamWindow> {
  const cpuBefore = readProcessCpuMs(rig.node.pid);
  const waitBefore = readRunQueueWaitMs(rig.node.pid);
  const clientWaitBefore = readRunQueueWaitMs(process.pid);
  const { answers, seconds } = await runStreams(streams, ms, (w, script) =>
    (rig.clients[w] as AnswerClient).ask(script),
  );
  const node = {
    cpuMs: readProcessCpuMs(rig.node.pid) - cpuBefore,
    waitMs: readRunQueueWaitMs(rig.node.pid) - waitBefore,
  };
  const clientWaitMs = readRunQueueWaitMs(process.pid) - clientWaitBefore;
  const records = await takeRecords(rig);
  const tokens: number[] = [];
  const windowWaits: number[] = [];
  const firstTokens: number[] = [];
  const toUpstream: number[] = [];
  let errors = 0;
  for (const answer of answers) {
    const record = records.get(answer.tag);
    const first = answer.pushes[0];
    if (answer.error || !record || !first) {
      errors += 1;
      continue;
    }
    tokens.push(...toPushLatencies(answer, record));
    windowWaits.push(...replayCoalescer(record.tokenWrittenAt));
    firstTokens.push(first.at - answer.sentAt);
    toUpstream.push(record.receivedAt - answer.sentAt);
  }
  return toWindow(
    tokens,
    windowWaits,
    firstTokens,
    toUpstream,
    seconds,
    node,
    clientWaitMs,
    answers.length,
    errors,
  );
}

/** Arm B, the floor: the same streams read straight from the upstream by a bare SSE client. */
async function runFloorArm(rig: Rig, streams: number, ms: number): Promise<StreamWindow> {
  const sse = rig.sse as SseClient;
  const clientWaitBefore = readRunQueueWaitMs(process.pid);
  const { answers, seconds } = await runStreams(streams, ms, (_w, script) => sse.stream(script));
  const records = await takeRecords(rig);
  const tokens: number[] = [];
  const firstTokens: number[] = [];
  const toUpstream: number[] = [];
  let errors = 0;
  for (const answer of answers as StreamedAnswer[]) {
    const record = records.get(answer.tag);
    const first = answer.tokenReadAt[0];
    if (answer.error || !record || first === undefined) {
      errors += 1;
      continue;
    }
    answer.tokenReadAt.forEach((at, i) => {
      tokens.push(at - (record.tokenWrittenAt[i] as number));
    });
    firstTokens.push(first - answer.sentAt);
    toUpstream.push(record.receivedAt - answer.sentAt);
  }
  return toWindow(
    tokens,
    [],
    firstTokens,
    toUpstream,
    seconds,
    { cpuMs: 0, waitMs: 0 },
    readRunQueueWaitMs(process.pid) - clientWaitBefore,
    answers.length,
    errors,
  );
}

/**
 * B13: the latency Foyer adds to a streamed answer, at 100 answers at once on one node. The
 * upstream (the fake OpenAI server, a process of its own) writes the first token 200 ms after
 * the request and the others 20 ms apart, and notes when it wrote each; the client notes when
 * each push arrived, on the same clock (CLOCK_MONOTONIC). A token's latency is from its write
 * to the push that holds it, the 30 ms push window included. These are latencies, so the
 * figure reports them against absolute goals, with the floor beside them in interleaved
 * windows: the same streams read by a bare SSE client straight from the upstream.
 * Sizing rows then double the streams until the push p99 passes 50 ms (at most 1,600), or
 * halve them (to 25) until it holds when 100 streams are already past it.
 */
export const b13: Figure = {
  id: "B13",
  title: "token written upstream → its push at the client, p50 (100 streams on one node)",
  async run(ctx) {
    const upstream = await startServerProcess("b13-upstream");
    const node = await startServerProcess("b13-node");
    const rig: Rig = {
      node,
      upstream,
      foyerUrl: "",
      upstreamUrl: "",
      guests: [],
      sockets: [],
      clients: [],
      sse: null,
    };
    try {
      await node.call("openStore", { databaseUrl: ctx.databaseUrl });
      rig.upstreamUrl = (await upstream.call<{ url: string }>("startUpstream")).url;
      rig.foyerUrl = (
        await node.call<{ url: string }>("startFoyer", {
          modelBaseURL: rig.upstreamUrl,
          maxRunningAnswers: 1e6,
        })
      ).url;
      await ensureClients(rig, STREAMS);
      const rounds = Math.max(3, Math.floor(ctx.rounds / 2));
      const run = await runInterleaved<StreamWindow>({
        rounds,
        windowMs: ctx.windowMs,
        warmupMs: ctx.warmupMs,
        runA: (ms) => runFoyerArm(rig, STREAMS, ms),
        runB: (ms) => runFloorArm(rig, STREAMS, ms),
      });
      const errors = run.pairs.reduce((n, p) => n + p.a.metrics.errors + p.b.metrics.errors, 0);
      if (errors > 0) ctx.progress(`B13: ${errors} answers failed or went missing`);
      const pushP50 = toPairRatios(run, (a) => a.pushP50);
      const pushP99 = toPairRatios(run, (a) => a.pushP99);
      const addedFirst = toPairRatios(run, (a, b) => a.firstTokenP50 - b.firstTokenP50);
      const rows: Row[] = [
        toRow(run, {
          id: "B13",
          figure: b13.title,
          measured: pushP50,
          unit: "ms",
          goal: "≤ 30 ms",
          pass: atMost(30)(pushP50),
        }),
        toRow(run, {
          id: "B13",
          figure: "  the same, p99",
          measured: pushP99,
          unit: "ms",
          goal: "≤ 100 ms",
          pass: atMost(100)(pushP99),
        }),
        toRow(run, {
          id: "B13",
          figure: "  first token through Foyer − straight from the upstream (p50)",
          measured: addedFirst,
          unit: "ms",
          goal: "≤ 10 ms",
          pass: atMost(10)(addedFirst),
        }),
        toRow(run, {
          id: "B13",
          figure: "  the push window's share (the same tokens replayed through the coalescer), p50",
          measured: toPairRatios(run, (a) => a.windowP50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B13",
          figure: "  the push window's share, p99",
          measured: toPairRatios(run, (a) => a.windowP99),
          unit: "ms",
        }),
        toRow(run, {
          id: "B13",
          figure: "  floor: token written → read by a bare SSE client of the upstream, p50",
          measured: toPairRatios(run, (_a, b) => b.pushP50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B13",
          figure: "  floor: the same, p99",
          measured: toPairRatios(run, (_a, b) => b.pushP99),
          unit: "ms",
        }),
        toRow(run, {
          id: "B13",
          figure: "  first token through Foyer (message:send → first push), p50",
          measured: toPairRatios(run, (a) => a.firstTokenP50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B13",
          figure: "  first token straight from the upstream (request → first token), p50",
          measured: toPairRatios(run, (_a, b) => b.firstTokenP50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B13",
          figure: "  message:send → the request at the upstream, p50",
          measured: toPairRatios(run, (a) => a.toUpstreamP50),
          unit: "ms",
        }),
        toRow(run, {
          id: "B13",
          figure: "  tokens through the node per second (100 streams)",
          measured: toPairRatios(run, (a) => a.tokensPerSecond),
          unit: "per_s",
        }),
        toRow(run, {
          id: "B13",
          figure: "  the node's CPU, cores busy (100 streams)",
          measured: toPairRatios(run, (a) => a.nodeCores),
        }),
        toRow(run, {
          id: "B13",
          figure: "  the node's main thread runnable but waiting for a CPU, share of the window",
          measured: toPairRatios(run, (a) => a.nodeRunQueueShare),
        }),
        toRow(run, {
          id: "B13",
          figure: "  the clients' process waiting for a CPU, share of a window through Foyer",
          measured: toPairRatios(run, (a) => a.clientRunQueueShare),
        }),
        toRow(run, {
          id: "B13",
          figure: "  the clients' process waiting for a CPU, share of a floor window",
          measured: toPairRatios(run, (_a, b) => b.clientRunQueueShare),
        }),
        toRow(run, {
          id: "B13",
          figure: "  the node's CPU per token pushed (everything: store, upstream, pushes)",
          measured: toPairRatios(run, (a) => a.nodeCpuPerTokenMs),
          unit: "ms",
        }),
      ];
      // Sizing: from 100, double the streams while the push p99 stays within the bound; or,
      // when 100 is already past it, halve them until it holds (at least 25).
      const within = (p99: number) => p99 <= SIZING_P99_BOUND_IN_MS;
      const growing = within(pushP99.median);
      let held = growing ? STREAMS : 0;
      for (const streams of growing ? SIZING_STEPS_UP : SIZING_STEPS_DOWN) {
        ctx.progress(`B13: sizing, ${streams} streams`);
        await ensureClients(rig, streams);
        const step = await runInterleaved<StreamWindow>({
          rounds: 2,
          windowMs: ctx.windowMs,
          warmupMs: 0,
          runA: (ms) => runFoyerArm(rig, streams, ms),
          runB: (ms) => runFloorArm(rig, streams, ms),
        });
        const p99 = toPairRatios(step, (a) => a.pushP99);
        const label = `  sizing, ${streams.toLocaleString("en-US")} streams:`;
        rows.push(
          toRow(step, {
            id: "B13",
            figure: `${label} push p99 through the node`,
            measured: p99,
            unit: "ms",
          }),
          toRow(step, {
            id: "B13",
            figure: `${label} floor p99`,
            measured: toPairRatios(step, (_a, b) => b.pushP99),
            unit: "ms",
          }),
          toRow(step, {
            id: "B13",
            figure: `${label} the node's main thread waiting for a CPU`,
            measured: toPairRatios(step, (a) => a.nodeRunQueueShare),
          }),
        );
        if (growing && !within(p99.median)) break;
        if (growing) held = streams;
        else if (within(p99.median)) {
          held = streams;
          break;
        }
      }
      rows.push(
        toRow(run, {
          id: "B13",
          figure: `  sizing: most streams held with push p99 ≤ ${SIZING_P99_BOUND_IN_MS} ms (100, then ×2 to 1,600 or ÷2 to 25; 0: not 25)`,
          measured: { median: held, min: held, max: held },
          unit: "count",
        }),
      );
      return rows;
    } finally {
      closeAll(rig.sockets);
      await rig.sse?.close();
      await Promise.all([node.stop(), upstream.stop()]);
    }
  },
};
