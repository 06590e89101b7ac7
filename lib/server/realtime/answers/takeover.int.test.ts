import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, type onTestFinished } from "vitest";
import {
  applyCreated,
  applyDelta,
  applySnapshot,
  applySync,
  type ChannelCache,
  fitsDelta,
} from "../../../client/cache/channel-cache";
import { getMaxSeq } from "../../../client/cache/messages";
import type {
  ChatMessage,
  GenerationSnapshot,
  MessageDelta,
  ServerToClientEvents,
} from "../../../shared/realtime/events";
import { createAgentRegistry } from "../../agents/registry";
import {
  createPacedAgent,
  PACED_AGENT_ID,
  type PacedAgent,
  toPacedText,
} from "../../agents/testing/paced-agent";
import { createPostgresStore } from "../../db/testing/stores";
import type { Db } from "../../db/types";
import { GENERATION_LEASE_IN_MS } from "../../store/generations";
import {
  connectTo,
  createGuest,
  startRedisServer,
  startTestNode,
  type TestClient,
  type TestNode,
} from "../../testing/cluster-harness";
import {
  type NodeProcess,
  type NodeProcessOptions,
  startNodeProcess,
} from "../../testing/node-process";
import { emitAck, pause } from "../testing/gateway-harness";
import { ANSWER_SWEEP_INTERVAL_IN_MS, INTERRUPTED_NOTE } from "./runner";

/**
 * Answers are never left unanswered, and resume without a gap or a duplicate, across nodes
 * (docs/design.md, answers). A node is killed (`SIGKILL`, a child process), stopped
 * (`SIGTERM`), or simply other than the one a tab is on; the paced agent's text is known in
 * advance, so every body can be checked to be a prefix of it, or all of it.
 *
 * Each test has its own Redis (startRedisServer) and its own PostgreSQL schema or PGlite
 * directory; PostgreSQL and `redis-server` must be there (these tests fail, never skip).
 */

/** The answer a killed node left: ended by another within lease + one sweep, plus slack. */
const TAKEOVER_BOUND_IN_MS = 15_000;
/** A slow answer (about 5 s), so that there is time to kill, join or stop in the middle. */
const SLOW = { count: 100, firstMs: 50, gapMs: 50 };
/** The same answer, fast (a regenerate on the surviving node). */
const FAST = { count: 100, firstMs: 5, gapMs: 1 };
const WHOLE = toPacedText(SLOW.count);

type Cleanup = typeof onTestFinished;

/**
 * Child nodes start two at a time: more at once (each compiles with tsx and migrates) on a
 * small machine starve each other past the start bound. The PGlite directory's first start
 * (while the tests before the kills run) and a restart whose timing is measured call
 * startNodeProcess directly.
 */
const START_SLOTS = 2;
let freeSlots = START_SLOTS;
const waitingForSlot: (() => void)[] = [];
async function startChild(options: NodeProcessOptions): Promise<NodeProcess> {
  if (freeSlots > 0) freeSlots -= 1;
  else await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  try {
    return await startNodeProcess(options);
  } finally {
    const next = waitingForSlot.shift();
    if (next) next();
    else freeSlots += 1;
  }
}

/**
 * Test b's PGlite directory, made by a node that started (initdb in WebAssembly takes
 * seconds) and stopped cleanly on it, in another process while the tests before b run.
 */
let pgliteDir: Promise<string> | null = null;

beforeAll(() => {
  pgliteDir = (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "foyer-takeover-"));
    try {
      // A fresh directory's first start runs initdb: slow on a busy machine, so more time.
      const node = await startNodeProcess({ dataDir: dir, startTimeoutInMs: 90_000 });
      expect(await node.kill("SIGTERM")).toBe(0);
      return dir;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  })();
  // Awaited by test b; not left unhandled when b is filtered out.
  pgliteDir.catch(() => {});
});

afterAll(async () => {
  const dir = await pgliteDir?.catch(() => null);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Polls `check` (sync or async) until it returns a value other than undefined/false. */
async function waitUntil<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutInMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutInMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`waited ${timeoutInMs} ms for ${what}`);
    await pause(20);
  }
}

/** Everything `socket` receives for `event`, with `performance.now()` at arrival. */
function record<E extends keyof ServerToClientEvents>(socket: TestClient, event: E) {
  const seen: { value: Parameters<ServerToClientEvents[E]>[0]; at: number }[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: one listener over the typed event map.
  socket.on(event, ((value: any) => seen.push({ value, at: performance.now() })) as any);
  return seen;
}

/** The text a socket assembled from the pushes of one answer (append-only, by offset). */
function assembled(deltas: { value: MessageDelta }[], messageId: string): string {
  let cache: ChannelCache | undefined;
  for (const { value } of deltas) {
    if (value.messageId === messageId && fitsDelta(cache, value)) cache = applyDelta(cache, value);
  }
  return cache?.streaming.find((d) => d.messageId === messageId)?.text ?? "";
}

function tokens(text: string): number {
  return text === "" ? 0 : text.split(" ").length;
}

function expectPrefixOfWhole(body: string): void {
  expect(WHOLE.startsWith(body), `"${body.slice(-40)}" is a prefix of the paced text`).toBe(true);
}

interface GenerationState {
  status: string;
  node_id: string;
  body: string;
  failure_code: string | null;
  finish_reason: string | null;
  lease_left_ms: number;
}

async function readGeneration(db: Db, id: string): Promise<GenerationState> {
  const { rows } = await db.query<GenerationState>(
    `SELECT status, node_id, body, failure_code, finish_reason,
       (extract(epoch FROM lease_until - now()) * 1000)::float8 AS lease_left_ms
     FROM generations WHERE id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`no generation ${id}`);
  return rows[0];
}

async function send(socket: TestClient, channel: string, body: string): Promise<ChatMessage> {
  const ack = await emitAck(socket, "message:send", {
    channel,
    clientMessageId: `cm_${crypto.randomUUID().replaceAll("-", "")}`,
    body,
  });
  if (ack.status !== "OK") throw new Error(`message:send: ${ack.code} ${ack.message}`);
  return ack.data.message;
}

async function join(socket: TestClient) {
  const ack = await emitAck(socket, "channel:join", { agentId: PACED_AGENT_ID }, 5_000);
  if (ack.status !== "OK") throw new Error(`channel:join: ${ack.code} ${ack.message}`);
  return ack.data;
}

/** The id of the answer to `question`, from the first push that names it. */
async function answerTo(deltas: { value: MessageDelta; at: number }[], question: ChatMessage) {
  const first = await waitUntil(
    "the answer's first push",
    () => deltas.find((d) => d.value.replyTo === question.id),
    5_000,
  );
  return { id: first.value.messageId, firstAt: first.at };
}

async function connect(cleanup: Cleanup, url: string, token: string): Promise<TestClient> {
  const socket = await connectTo(url, token);
  cleanup(() => void socket.disconnect());
  return socket;
}

/** Node A in a child process and node B in this one, on one PostgreSQL schema and one Redis. */
async function childAndInProcess(
  cleanup: Cleanup,
  options: { shutdownGraceInMs?: number; paced?: typeof SLOW } = {},
) {
  const redis = await startRedisServer();
  cleanup(() => redis.stop());
  const store = await createPostgresStore();
  cleanup(() => store.dispose());
  const a = await startChild({
    databaseUrl: store.url,
    redisUrl: redis.url,
    paced: options.paced ?? SLOW,
    shutdownGraceInMs: options.shutdownGraceInMs,
  });
  cleanup(async () => void (await a.kill()));
  const b = await startTestNode("B", {
    store,
    redisUrl: redis.url,
    observe: false,
    agents: createAgentRegistry([createPacedAgent(FAST)]),
  });
  cleanup(() => b.stop());
  const guest = await createGuest(b);
  const onB = await connect(cleanup, b.node.url, guest.token);
  const onA = await connect(cleanup, a.url, guest.token);
  const { channel } = await join(onB);
  return { a, b, onA, onB, channel };
}

/** Two nodes in this process (paced agents of their own), on one PostgreSQL schema and one Redis. */
async function twoInProcess(cleanup: Cleanup) {
  const redis = await startRedisServer();
  cleanup(() => redis.stop());
  const store = await createPostgresStore();
  cleanup(() => store.dispose());
  const pacedA = createPacedAgent(SLOW);
  const pacedB = createPacedAgent(SLOW);
  const start = async (name: string, agent: PacedAgent): Promise<TestNode> => {
    const node = await startTestNode(name, {
      store,
      redisUrl: redis.url,
      observe: false,
      agents: createAgentRegistry([agent]),
    });
    cleanup(() => node.stop());
    return node;
  };
  const a = await start("A", pacedA);
  const b = await start("B", pacedB);
  const guest = await createGuest(a);
  return { a, b, pacedA, pacedB, guest };
}

/**
 * A tab as the browser keeps one channel (lib/hooks/use-message-pushes.ts): a join through
 * `applySync`, pushes through `fitsDelta`/`applyDelta`, a `generation:snapshot` when a push
 * starts beyond what it holds, `applyCreated` for created messages.
 */
function followLikeATab(socket: TestClient) {
  let cache: ChannelCache | undefined;
  const created: { message: ChatMessage; assembled: string | null }[] = [];
  const stats = { applied: 0, gaps: 0, snapshots: 0, resyncs: 0 };
  let joined: GenerationSnapshot[] | null = null;
  const asking = new Set<string>();
  const sync = async () => {
    const data = await join(socket);
    joined ??= data.generations;
    cache = applySync(cache, {
      channel: data.channel,
      messages: data.messages,
      syncedSeq: getMaxSeq(data.messages),
      generations: data.generations,
      allowance: data.allowance,
    });
    return data;
  };
  const askSnapshot = (messageId: string) => {
    if (asking.has(messageId)) return;
    asking.add(messageId);
    stats.snapshots += 1;
    emitAck(socket, "generation:snapshot", { messageId }, 5_000)
      .then(async (ack) => {
        if (ack.status !== "OK") return;
        if (ack.data.generation) cache = applySnapshot(cache, ack.data.generation);
        else {
          // It ended meanwhile and its message did not reach this tab: sync the channel.
          stats.resyncs += 1;
          await sync();
        }
      })
      .catch(() => {})
      .finally(() => asking.delete(messageId));
  };
  socket.on("message:delta", (delta) => {
    if (!fitsDelta(cache, delta)) {
      stats.gaps += 1;
      askSnapshot(delta.messageId);
      return;
    }
    stats.applied += 1;
    cache = applyDelta(cache, delta);
  });
  socket.on("message:created", (message) => {
    const draft = cache?.streaming.find((d) => d.messageId === message.id);
    created.push({ message, assembled: draft?.text ?? null });
    cache = applyCreated(cache, message);
  });
  return {
    sync,
    created,
    stats,
    joined: () => joined,
    text: (messageId: string) =>
      cache?.messages.find((m) => m.id === messageId)?.body ??
      cache?.streaming.find((d) => d.messageId === messageId)?.text ??
      "",
  };
}

describe("answers resume across nodes without a gap or a duplicate", () => {
  it("d. five tabs joining a node mid-answer take the text so far from the writing node, then the pushes: each ends with the final body, created once", async ({
    onTestFinished: cleanup,
  }) => {
    const { a, b, guest } = await twoInProcess(cleanup);
    const sender = await connect(cleanup, a.node.url, guest.token);
    const { channel } = await join(sender);
    // A tab on B from the start: what B relays, to compare each join's text with.
    const watcher = followLikeATab(await connect(cleanup, b.node.url, guest.token));
    await watcher.sync();
    const senderDeltas = record(sender, "message:delta");
    const question = await send(sender, channel, "d: resume");
    const answer = await answerTo(senderDeltas, question);
    const joinAfterMs = [150, 1_000, 2_000, 3_000, 4_000];
    const tabs = await Promise.all(
      joinAfterMs.map(async (after) => {
        const socket = await connect(cleanup, b.node.url, guest.token);
        const tab = followLikeATab(socket);
        await pause(Math.max(0, answer.firstAt + after - performance.now()));
        const relayedBefore = watcher.text(answer.id);
        const joinedAt = performance.now() - answer.firstAt;
        await tab.sync();
        const stored = (await readGeneration(b.db, answer.id)).body;
        return { tab, after, joinedAt, relayedBefore, stored };
      }),
    );
    const ofAnswer = (tab: ReturnType<typeof followLikeATab>) =>
      tab.created.filter((c) => c.message.id === answer.id);
    await waitUntil(
      "every tab's message:created",
      () => [watcher, ...tabs.map((t) => t.tab)].every((t) => ofAnswer(t).length > 0),
      15_000,
    );
    // Late duplicates would arrive within moments.
    await pause(500);
    const final = ofAnswer(watcher)[0]?.message;
    expect(final).toMatchObject({ id: answer.id, status: "complete", body: WHOLE });
    for (const { tab, after, joinedAt, relayedBefore, stored } of tabs) {
      const generations = tab.joined() ?? [];
      const atJoin = generations[0]?.text ?? "";
      const [created, ...more] = ofAnswer(tab);
      console.info(
        `resume: join at ${Math.round(joinedAt)} ms got ${tokens(atJoin)} tokens ` +
          `(relayed by then ${tokens(relayedBefore)}, stored ${tokens(stored)}); ` +
          `${tab.stats.applied} pushes applied, ${tab.stats.gaps} gaps, ` +
          `${tab.stats.snapshots} snapshots, ${ofAnswer(tab).length} created, ` +
          `assembled = final: ${created?.assembled === final?.body}`,
      );
      expect(
        generations.map((g) => g.messageId),
        `join at ${after} ms`,
      ).toEqual([answer.id]);
      expectPrefixOfWhole(atJoin);
      // From the node writing it (over the bus), not the stored text a renewal saved: at
      // least what that node had already pushed when the join was sent.
      expect(atJoin.startsWith(relayedBefore), `join at ${after} ms is current`).toBe(true);
      expect(more, `join at ${after} ms: one message:created`).toEqual([]);
      expect(created?.message).toEqual(final);
      expect(created?.assembled, `join at ${after} ms assembled the final body`).toBe(WHOLE);
    }
    expect(ofAnswer(watcher)).toHaveLength(1);
    expect(ofAnswer(watcher)[0]?.assembled).toBe(WHOLE);
  }, 30_000);

  it("e. a stop from a tab on another node: the writing node aborts, the answer ends stopped, pushed once to both nodes", async ({
    onTestFinished: cleanup,
  }) => {
    const { a, b, pacedA, guest } = await twoInProcess(cleanup);
    const onA = await connect(cleanup, a.node.url, guest.token);
    const onB = await connect(cleanup, b.node.url, guest.token);
    const { channel } = await join(onA);
    await join(onB);
    const deltasB = record(onB, "message:delta");
    const createdA = record(onA, "message:created");
    const createdB = record(onB, "message:created");
    const question = await send(onA, channel, "e: stop me");
    const answer = await answerTo(deltasB, question);
    await waitUntil("ten tokens on B", () => tokens(assembled(deltasB, answer.id)) >= 10, 5_000);
    const stopAt = performance.now();
    const ack = await emitAck(onB, "generation:stop", { messageId: answer.id });
    expect(ack).toEqual({ status: "OK", data: { stopping: true } });
    await Promise.race([
      pacedA.whenAborted(1),
      pause(3_000).then(() => {
        throw new Error("the paced agent on A saw no abort in 3 s");
      }),
    ]);
    const abortedAfter = performance.now() - stopAt;
    const ended = (list: typeof createdA) => list.filter((m) => m.value.id === answer.id);
    await waitUntil(
      "the stopped answer on both nodes",
      () => ended(createdA).length > 0 && ended(createdB).length > 0,
      5_000,
    );
    await pause(300);
    console.info(
      `stop across nodes: A aborted ${Math.round(abortedAfter)} ms after the stop, ` +
        `stopped message on B ${Math.round((ended(createdB)[0]?.at ?? 0) - stopAt)} ms after`,
    );
    expect(ended(createdA)).toHaveLength(1);
    expect(ended(createdB)).toHaveLength(1);
    const message = ended(createdB)[0]?.value as ChatMessage;
    expect(ended(createdA)[0]?.value).toEqual(message);
    expect(message).toMatchObject({ status: "stopped", note: null, replyTo: question.id });
    expectPrefixOfWhole(message.body);
    expect(message.body.length).toBeGreaterThan(0);
    expect(message.body.length).toBeLessThan(WHOLE.length);
    // Everything written before the abort was pushed before the final message.
    expect(assembled(deltasB, answer.id)).toBe(message.body);
    expect(pacedA.aborted).toBe(1);
    expect(await readGeneration(b.db, answer.id)).toMatchObject({
      status: "stopped",
      node_id: a.node.gateway.nodeId,
      finish_reason: "stop_requested",
      body: message.body,
    });
    // Stopping what already ended changes nothing.
    expect(await emitAck(onB, "generation:stop", { messageId: answer.id })).toEqual({
      status: "OK",
      data: { stopping: false },
    });
  }, 30_000);
});

// The kills wait out a lease (10 s) each: they run side by side, each with its own stores.
describe.concurrent("answers of a node that went away are never left unanswered", () => {
  it("a. node A killed mid-answer: node B ends it interrupted within lease + sweep, with what A saved, once; then writes it again", async ({
    onTestFinished: cleanup,
    expect,
  }) => {
    const { a, b, onA, onB, channel } = await childAndInProcess(cleanup);
    onA.on("disconnect", () => {});
    const deltasB = record(onB, "message:delta");
    const createdB = record(onB, "message:created");
    const question = await send(onA, channel, "a: kill the writer");
    const answer = await answerTo(deltasB, question);
    // Well into the answer, and a renewal saved some of it: a takeover stores at least that.
    await waitUntil("20 tokens on B", () => tokens(assembled(deltasB, answer.id)) >= 20, 5_000);
    await waitUntil(
      "a renewal that saved text",
      async () => (await readGeneration(b.db, answer.id)).body !== "",
      ANSWER_SWEEP_INTERVAL_IN_MS + 2_000,
    );
    const { body: saved, lease_left_ms: leaseLeft } = await readGeneration(b.db, answer.id);
    const relayed = assembled(deltasB, answer.id);
    const killedAt = performance.now();
    await a.kill("SIGKILL");
    const ended = await waitUntil(
      "the interrupted answer on B",
      () => createdB.find((m) => m.value.id === answer.id),
      TAKEOVER_BOUND_IN_MS + 5_000,
    );
    const took = ended.at - killedAt;
    console.info(
      `takeover: interrupted after ${Math.round(took)} ms (kill -9 of a node; its lease had ` +
        `${Math.round(leaseLeft)} ms left; ${tokens(saved)} tokens saved by then, ` +
        `${tokens(relayed)} relayed, ${tokens(ended.value.body)} stored)`,
    );
    // The documented bound is the lease plus one sweep; the test's leaves slack for load.
    expect(GENERATION_LEASE_IN_MS + ANSWER_SWEEP_INTERVAL_IN_MS).toBeLessThan(TAKEOVER_BOUND_IN_MS);
    expect(took).toBeLessThanOrEqual(TAKEOVER_BOUND_IN_MS);
    // Not before the lease ran out: B cannot tell a dead node from a slow one sooner.
    expect(took).toBeGreaterThanOrEqual(leaseLeft - 100);
    await pause(500);
    expect(createdB.filter((m) => m.value.id === answer.id)).toHaveLength(1);
    const message = ended.value;
    expect(message).toMatchObject({
      authorKind: "agent",
      status: "interrupted",
      note: INTERRUPTED_NOTE,
      replyTo: question.id,
    });
    expectPrefixOfWhole(message.body);
    expect(message.body.startsWith(saved)).toBe(true);
    expect(await readGeneration(b.db, answer.id)).toMatchObject({
      status: "interrupted",
      node_id: b.node.gateway.nodeId,
      failure_code: "node_lost",
      body: message.body,
    });
    // Written again, on the node that is left: whole this time, to the same question.
    const again = await emitAck(onB, "generation:regenerate", { messageId: answer.id });
    if (again.status !== "OK") throw new Error(`generation:regenerate: ${again.code}`);
    const rewritten = await waitUntil(
      "the regenerated answer",
      () => createdB.find((m) => m.value.id === again.data.messageId),
      5_000,
    );
    expect(rewritten.value).toMatchObject({
      status: "complete",
      body: WHOLE,
      replyTo: question.id,
    });
  }, 90_000);

  it("b. one node on PGlite killed mid-answer and restarted on its directory and port: the answer ends interrupted, and the join no longer lists it", async ({
    onTestFinished: cleanup,
    expect,
  }) => {
    const dataDir = await (pgliteDir ?? Promise.reject(new Error("no PGlite directory")));
    const first = await startChild({ dataDir, paced: SLOW });
    cleanup(async () => void (await first.kill()));
    const guest = await createGuest({ node: first });
    const before = await connect(cleanup, first.url, guest.token);
    before.on("disconnect", () => {});
    const { channel } = await join(before);
    const deltas = record(before, "message:delta");
    const question = await send(before, channel, "b: kill the only node");
    const answer = await answerTo(deltas, question);
    // One sweep after the first token: a renewal saved some text (PGlite is this child's
    // alone, so the test cannot read it while the node runs).
    await pause(answer.firstAt + ANSWER_SWEEP_INTERVAL_IN_MS + 300 - performance.now());
    const killedAt = performance.now();
    const killedAtWall = Date.now();
    await first.kill("SIGKILL");
    const second = await startNodeProcess({ dataDir, port: first.port, paced: SLOW });
    cleanup(async () => void (await second.kill()));
    const restartedAfter = performance.now() - killedAt;
    expect(second.url).toBe(first.url);
    const after = await connect(cleanup, second.url, guest.token);
    const created = record(after, "message:created");
    const rejoin = await join(after);
    let ended = rejoin.messages.find((m) => m.id === answer.id);
    let seenAt = performance.now();
    if (!ended) {
      // Its lease still holds: listed as being written, with the text it saved.
      expect(rejoin.generations.map((g) => g.messageId)).toEqual([answer.id]);
      expectPrefixOfWhole(rejoin.generations[0]?.text ?? "");
      const pushed = await waitUntil(
        "the interrupted answer pushed after the restart",
        () => created.find((m) => m.value.id === answer.id),
        TAKEOVER_BOUND_IN_MS + 5_000 - (performance.now() - killedAt),
      );
      ended = pushed.value;
      seenAt = pushed.at;
    }
    // When the restarted node stored it (same machine clock as the kill), and when the tab had it.
    const took = Date.parse(ended.createdAt) - killedAtWall;
    console.info(
      `takeover: interrupted after ${Math.round(took)} ms (kill -9 of the only node on ` +
        `PGlite, restarted in ${Math.round(restartedAfter)} ms; the tab had it ` +
        `${Math.round(seenAt - killedAt)} ms after the kill, ` +
        `${rejoin.messages.some((m) => m.id === answer.id) ? "in the join" : "pushed"})`,
    );
    // The restarted node sweeps as it starts: the bound is the lease's, or the restart's
    // when that took longer (a busy machine).
    expect(took).toBeLessThanOrEqual(
      Math.max(TAKEOVER_BOUND_IN_MS, restartedAfter + ANSWER_SWEEP_INTERVAL_IN_MS),
    );
    expect(ended).toMatchObject({
      status: "interrupted",
      note: INTERRUPTED_NOTE,
      replyTo: question.id,
    });
    expectPrefixOfWhole(ended.body);
    expect(ended.body.length).toBeGreaterThan(0);
    const last = await join(after);
    expect(last.generations).toEqual([]);
    expect(last.messages.filter((m) => m.id === answer.id)).toEqual([ended]);
    await pause(300);
    expect(created.filter((m) => m.value.id === answer.id).length).toBeLessThanOrEqual(1);
  }, 120_000);

  it("c. SIGTERM: the node stores its running answer as interrupted itself before it exits, without waiting for a lease", async ({
    onTestFinished: cleanup,
    expect,
  }) => {
    const { a, b, onA, onB, channel } = await childAndInProcess(cleanup, {
      shutdownGraceInMs: 300,
    });
    onA.on("disconnect", () => {});
    const deltasB = record(onB, "message:delta");
    const createdB = record(onB, "message:created");
    const question = await send(onA, channel, "c: a deploy");
    const answer = await answerTo(deltasB, question);
    await pause(1_000);
    const termAt = performance.now();
    const code = await a.kill("SIGTERM");
    const exitedAfter = performance.now() - termAt;
    // Read at once: the node that wrote it ended it, before it was gone.
    const row = await readGeneration(b.db, answer.id);
    const { rows } = await b.db.query<{ status: string; body: string }>(
      "SELECT status, body FROM messages WHERE id = $1",
      [answer.id],
    );
    expect(code).toBe(0);
    expect(row).toMatchObject({
      status: "interrupted",
      node_id: a.nodeId,
      failure_code: "node_shutdown",
    });
    expect(rows).toEqual([{ status: "interrupted", body: row.body }]);
    const ended = await waitUntil(
      "the interrupted answer on B",
      () => createdB.find((m) => m.value.id === answer.id),
      2_000,
    );
    console.info(
      `takeover: interrupted after ${Math.round(ended.at - termAt)} ms (SIGTERM with a ` +
        `300 ms grace; the node exited after ${Math.round(exitedAfter)} ms)`,
    );
    expect(exitedAfter).toBeLessThan(5_000);
    await pause(300);
    expect(createdB.filter((m) => m.value.id === answer.id)).toHaveLength(1);
    expect(ended.value).toMatchObject({
      status: "interrupted",
      note: INTERRUPTED_NOTE,
      body: row.body,
      replyTo: question.id,
    });
    expectPrefixOfWhole(row.body);
    // Everything it wrote was pushed before it stored the end: the tab on B lost nothing.
    expect(assembled(deltasB, answer.id)).toBe(row.body);
  }, 90_000);

  it("c. SIGTERM with a grace longer than the lease: the draining node keeps its lease and finishes the answer; no other node takes it over", async ({
    onTestFinished: cleanup,
    expect,
  }) => {
    // About 15 s of answer, so the drain outlasts a lease (10 s) that is not renewed; a 30 s
    // grace, so that it ends complete even when a busy machine slows its pace.
    const LONG = { count: 300, firstMs: 50, gapMs: 50 };
    const { a, b, onA, onB, channel } = await childAndInProcess(cleanup, {
      shutdownGraceInMs: 30_000,
      paced: LONG,
    });
    onA.on("disconnect", () => {});
    const deltasB = record(onB, "message:delta");
    const createdB = record(onB, "message:created");
    const question = await send(onA, channel, "c: a long deploy");
    const answer = await answerTo(deltasB, question);
    await pause(500);
    const termAt = performance.now();
    const code = await a.kill("SIGTERM");
    const exitedAfter = performance.now() - termAt;
    const ended = await waitUntil(
      "the answer on B",
      () => createdB.find((m) => m.value.id === answer.id),
      2_000,
    );
    console.info(
      `drain: the answer ended ${ended.value.status} ${Math.round(ended.at - termAt)} ms after ` +
        `SIGTERM (30 s grace; the node exited after ${Math.round(exitedAfter)} ms)`,
    );
    expect(code).toBe(0);
    expect(ended.value).toMatchObject({ status: "complete", body: toPacedText(LONG.count) });
    expect(await readGeneration(b.db, answer.id)).toMatchObject({
      status: "complete",
      node_id: a.nodeId,
    });
    await pause(300);
    expect(createdB.filter((m) => m.value.id === answer.id)).toHaveLength(1);
    expect(assembled(deltasB, answer.id)).toBe(toPacedText(LONG.count));
  }, 90_000);

  it("e. a stop for an answer whose node was killed, while its lease holds: nothing ends it early, the sweep ends it interrupted after the lease, once", async ({
    onTestFinished: cleanup,
    expect,
  }) => {
    const { a, b, onA, onB, channel } = await childAndInProcess(cleanup);
    onA.on("disconnect", () => {});
    const deltasB = record(onB, "message:delta");
    const createdB = record(onB, "message:created");
    const question = await send(onA, channel, "e: stop a dead writer");
    const answer = await answerTo(deltasB, question);
    await waitUntil(
      "a renewal that saved text",
      async () => (await readGeneration(b.db, answer.id)).body || undefined,
      ANSWER_SWEEP_INTERVAL_IN_MS + 2_000,
    );
    const { lease_left_ms: leaseLeft } = await readGeneration(b.db, answer.id);
    const killedAt = performance.now();
    await a.kill("SIGKILL");
    // B cannot tell a dead node from a slow one while the lease holds: it asks over the bus
    // (no one is there to answer) and ends nothing.
    const ack = await emitAck(onB, "generation:stop", { messageId: answer.id });
    expect(ack).toEqual({ status: "OK", data: { stopping: true } });
    expect((await readGeneration(b.db, answer.id)).status).toBe("streaming");
    const ended = await waitUntil(
      "the answer ended on B",
      () => createdB.find((m) => m.value.id === answer.id),
      TAKEOVER_BOUND_IN_MS + 5_000,
    );
    const took = ended.at - killedAt;
    console.info(
      `takeover: interrupted after ${Math.round(took)} ms (kill -9, then a stop from B while ` +
        `the lease had ${Math.round(leaseLeft)} ms left)`,
    );
    expect(took).toBeGreaterThanOrEqual(leaseLeft - 100);
    expect(took).toBeLessThanOrEqual(TAKEOVER_BOUND_IN_MS);
    // The stop reached no one, so the sweep's end stands: the node went away.
    expect(ended.value).toMatchObject({ status: "interrupted", note: INTERRUPTED_NOTE });
    expectPrefixOfWhole(ended.value.body);
    expect(await readGeneration(b.db, answer.id)).toMatchObject({
      status: "interrupted",
      node_id: b.node.gateway.nodeId,
      failure_code: "node_lost",
    });
    await pause(300);
    expect(createdB.filter((m) => m.value.id === answer.id)).toHaveLength(1);
    expect(await emitAck(onB, "generation:stop", { messageId: answer.id })).toEqual({
      status: "OK",
      data: { stopping: false },
    });
  }, 90_000);
});
