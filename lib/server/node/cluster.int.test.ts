import { QueryClient } from "@tanstack/react-query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCreated, type ChannelCache } from "../../client/cache/channel-cache";
import { foyerKeys, syncChannel } from "../../client/cache/queries";
import type { FoyerSocket } from "../../client/realtime/socket";
import { toDirectChannel } from "../../shared/realtime/channels";
import type { ChatMessage } from "../../shared/realtime/events";
import { startAuthorityServer } from "../authority/router";
import { TEST_SECRETS } from "../authority/testing/authority-harness";
import { createPostgresStore, type TestStore } from "../db/testing/stores";
import { emitAck, pause, waitFor } from "../realtime/testing/gateway-harness";
import { beatNode, liveNodeIds, removeNode } from "../store/gateway-nodes";
import { listMessagesAfter } from "../store/messages";
import {
  connectTo,
  createGuest,
  revokeOn,
  rotateOn,
  startCuttableProxy,
  startFailoverProxy,
  startRedisServer,
  startTestNode,
  type TestClient,
  type TestGuest,
  type TestNode,
} from "../testing/cluster-harness";
import { createGatewayLink } from "./gateway-link";

/**
 * Two gateway nodes on the machine's Redis and PostgreSQL (both must be up: these tests
 * fail, never skip, without them), each with its own in-process authority on one store.
 */
const REDIS_URL = process.env.FOYER_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const PIPELINE = 1000;

let store: TestStore;
let a: TestNode;
let b: TestNode;

beforeAll(async () => {
  store = await createPostgresStore();
  a = await startTestNode("A", { store, redisUrl: REDIS_URL });
  b = await startTestNode("B", { store, redisUrl: REDIS_URL });
  // Both nodes see each other on the bus before anything is relayed.
  await waitFor(() => a.node.gateway.io.of("/").adapter !== undefined, 5_000);
}, 60_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await store?.dispose();
});

interface PipelineReport {
  sent: number;
  acceptedBefore: number;
  acceptedAfter: number;
  refused: number;
  undelivered: number;
}

/**
 * Emits `PIPELINE` events from `client` to `receiver`, firing `change` a third of the way
 * in, and sorts the receiver's checks of this session by whether they arrived before or
 * after the change was answered (the moment `answeredEvent` was logged, just before the
 * answer was written).
 */
async function pipelineAround(
  client: TestClient,
  receiver: TestNode,
  answering: TestNode,
  answeredEvent: string,
  sessionId: string,
  change: () => Promise<unknown>,
): Promise<PipelineReport> {
  const acks: Promise<unknown>[] = [];
  let changed: Promise<unknown> | null = null;
  const checked = () => receiver.events.filter((e) => e.sessionId === sessionId).length;
  for (let i = 0; i < PIPELINE; i++) {
    acks.push(emitAck(client, "agent:list", {}, 3_000).catch(() => null));
    // The change fires once the receiver has checked a third of the pipeline, so the rest
    // is still on the wire or queued when it is answered.
    if (changed === null && checked() >= PIPELINE / 3) changed = change();
    if (i % 10 === 0) await pause(1);
  }
  changed ??= change();
  await changed;
  await Promise.allSettled(acks);
  const answeredAt = answering.logs.find(
    (l) => l.event === answeredEvent && l.fields.sessionId === sessionId,
  )?.at;
  expect(answeredAt, `${answeredEvent} was logged`).toBeDefined();
  const checks = receiver.events.filter((e) => e.sessionId === sessionId);
  const accepted = checks.filter((e) => e.accepted);
  return {
    sent: PIPELINE,
    acceptedBefore: accepted.filter((e) => e.at < (answeredAt ?? 0)).length,
    acceptedAfter: accepted.filter((e) => e.at >= (answeredAt ?? 0)).length,
    refused: checks.length - accepted.length,
    // Never reached a handler: the revoked socket was closed with them still on the wire.
    undelivered: PIPELINE - checks.length,
  };
}

describe("revocation across nodes", () => {
  it.each([
    ["same-node", () => a],
    ["cross-node", () => b],
  ])(
    "%s: zero events accepted after the revoke answered, and no reconnect",
    async (name, on) => {
      const receiver = on();
      const guest = await createGuest(a);
      const client = await connectTo(receiver.node.url, guest.token);
      let status = "";
      const report = await pipelineAround(
        client,
        receiver,
        a,
        "session.revoked",
        guest.sessionId,
        async () => {
          status = await revokeOn(a, guest.sessionId);
        },
      );
      console.info(`pipelined revocation (${name}): ${JSON.stringify(report)}`);
      expect(status).toBe("revoked");
      expect(report.acceptedAfter).toBe(0);
      expect(report.acceptedBefore).toBeGreaterThan(0);
      for (const node of [a, b]) {
        await expect(connectTo(node.node.url, guest.token)).rejects.toThrow("unauthorized");
      }
    },
    60_000,
  );

  it.each([
    ["same-node", () => a],
    ["cross-node", () => b],
  ])(
    "%s: zero events with the old token accepted after a rotation answered",
    async (name, on) => {
      const receiver = on();
      const guest = await createGuest(a);
      const client = await connectTo(receiver.node.url, guest.token);
      let rotated: Awaited<ReturnType<typeof rotateOn>> | null = null;
      const report = await pipelineAround(
        client,
        receiver,
        a,
        "token.rotated",
        guest.sessionId,
        async () => {
          rotated = await rotateOn(a, guest);
        },
      );
      console.info(`pipelined rotation (${name}): ${JSON.stringify(report)}`);
      expect(rotated).toMatchObject({ status: 200, body: { status: "rotated" } });
      expect(report.acceptedAfter).toBe(0);
      expect(report.acceptedBefore).toBeGreaterThan(0);
      // The socket stays; with the new family's token it acts again, in place.
      const fresh = (rotated as unknown as { body: { socketToken: string } }).body.socketToken;
      expect((await emitAck(client, "token:refresh", { token: fresh })).status).toBe("OK");
      expect((await emitAck(client, "agent:list", {})).status).toBe("OK");
      await expect(connectTo(b.node.url, guest.token)).rejects.toThrow("unauthorized");
      client.disconnect();
    },
    60_000,
  );

  it("a stand-alone authority reaches every gateway through the bus before it answers", async () => {
    const db = await store.open();
    const link = await createGatewayLink(REDIS_URL, () => {});
    const standalone = await startAuthorityServer({
      db,
      secrets: TEST_SECRETS,
      port: 0,
      onSessionChanged: (change) => link.announce(change),
    });
    const external = { node: { authorityUrl: standalone.url } };
    try {
      const guest = await createGuest(external);
      const client = await connectTo(b.node.url, guest.token);
      const closed = new Promise<string>((resolve) => client.once("disconnect", resolve));
      expect(await revokeOn(external, guest.sessionId)).toBe("revoked");
      // Applied on the node before the answer: the socket is already being closed.
      expect(await closed).toBe("io server disconnect");
      await expect(connectTo(a.node.url, guest.token)).rejects.toThrow("unauthorized");
    } finally {
      await standalone.close();
      await link.close();
      await db.close();
    }
  }, 30_000);

  it("says the revocation is pending when another node cannot confirm in time", async () => {
    const guest = await createGuest(a);
    const c = await startTestNode("C", { store, redisUrl: REDIS_URL });
    // C stops answering the bus (but is still counted): a node that cannot confirm.
    c.node.gateway.io.removeAllListeners("session:generation");
    try {
      const started = performance.now();
      expect(await revokeOn(a, guest.sessionId)).toBe("pending");
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await c.stop();
    }
  }, 30_000);
});

/** A client that keeps one channel the way the browser does: pushes and syncs merged by id. */
function watch(client: TestClient, userId: string, agentId: string) {
  const queryClient = new QueryClient();
  const key = foyerKeys.channel(userId, agentId);
  const socket = client as unknown as FoyerSocket;
  const sync = () =>
    syncChannel({ socket, queryClient, userId, agentId }).then((c) => {
      queryClient.setQueryData(key, c);
    });
  client.on("message:created", (message: ChatMessage) =>
    queryClient.setQueryData<ChannelCache>(key, (cache) => applyCreated(cache, message)),
  );
  client.on("sync:required", () => void sync());
  client.on("connect", () => void sync());
  return {
    sync,
    messages: () => queryClient.getQueryData<ChannelCache>(key)?.messages ?? [],
  };
}

async function send(client: TestClient, channel: string, body: string) {
  const ack = await emitAck(client, "message:send", {
    channel,
    clientMessageId: `cm_${body.replaceAll(/\W/g, "_")}`,
    body,
  });
  expect(ack.status).toBe("OK");
}

/** Waits until a watcher shows exactly what the store holds (ids unique, seqs 1..n). */
async function expectConverged(db: TestNode["db"], channel: string, seen: () => ChatMessage[]) {
  await waitFor(() => {
    const ids = seen().map((m) => m.id);
    return ids.length > 0 && new Set(ids).size === ids.length;
  }, 10_000);
  let stored: ChatMessage[] = [];
  await waitFor(() => {
    void listMessagesAfter(db, channel, 0).then((rows) => {
      stored = rows;
    });
    return (
      stored.length > 0 &&
      JSON.stringify(seen().map((m) => m.id)) === JSON.stringify(stored.map((m) => m.id))
    );
  }, 20_000);
  const shown = seen();
  expect(shown.map((m) => m.seq)).toEqual(shown.map((_, i) => i + 1));
  expect(new Set(shown.map((m) => m.id)).size).toBe(shown.length);
}

describe("a node that lost the bus", () => {
  /** Node D, whose Redis connection (only) goes through a proxy the test can cut. */
  async function startCutOffNode() {
    const proxy = await startCuttableProxy(REDIS_URL);
    const d = await startTestNode("D", { store, redisUrl: proxy.url });
    const cutOff = async () => {
      proxy.cut();
      await waitFor(() => d.logs.some((l) => l.event === "bus.connection_lost"), 10_000);
      expect(d.node.gateway.sessions.receiving).toBe(false);
      // Off the list: revokes no longer wait for it (it reads the store on every event).
      const deadline = Date.now() + 5_000;
      while ((await liveNodeIds(a.db)).includes(d.node.gateway.nodeId)) {
        if (Date.now() > deadline) throw new Error("node D is still listed");
        await pause(20);
      }
    };
    const stop = async () => {
      await d.stop();
      await proxy.close();
    };
    return { d, proxy, cutOff, stop };
  }

  it("reads the store on every event: zero events accepted after a revoke answered elsewhere", async () => {
    const { d, cutOff, stop } = await startCutOffNode();
    try {
      const guest = await createGuest(a);
      const client = await connectTo(d.node.url, guest.token);
      await cutOff();
      let status = "";
      const report = await pipelineAround(
        client,
        d,
        a,
        "session.revoked",
        guest.sessionId,
        async () => {
          status = await revokeOn(a, guest.sessionId);
        },
      );
      console.info(`pipelined revocation (node off the bus): ${JSON.stringify(report)}`);
      // Confirmed honestly: the nodes that answer from memory all acknowledged.
      expect(status).toBe("revoked");
      expect(report.acceptedAfter).toBe(0);
      expect(report.acceptedBefore).toBeGreaterThan(0);
      await expect(connectTo(d.node.url, guest.token)).rejects.toThrow("unauthorized");
    } finally {
      await stop();
    }
  }, 60_000);

  it("applies what it missed when the bus comes back, before it answers from memory again", async () => {
    const { d, proxy, cutOff, stop } = await startCutOffNode();
    try {
      const guest = await createGuest(a);
      const client = await connectTo(d.node.url, guest.token);
      const told = new Promise<string>((resolve) =>
        client.once("session:revoked", ({ reason }) => resolve(reason)),
      );
      await cutOff();
      expect(await revokeOn(a, guest.sessionId)).toBe("revoked");
      proxy.restore();
      await waitFor(() => d.node.gateway.sessions.receiving, 15_000);
      // The socket sent nothing: the re-read on recovery found the revoke and closed it.
      expect(await told).toBe("revoked");
      expect(client.connected).toBe(false);
      expect(await liveNodeIds(a.db)).toContain(d.node.gateway.nodeId);
      const back = d.logs.filter((l) => l.event === "gateway.answering_from_memory");
      const reconciled = d.logs.find((l) => l.event === "gateway.sessions_reconciled");
      expect(reconciled?.at).toBeLessThan(back.at(-1)?.at ?? 0);
    } finally {
      await stop();
    }
  }, 60_000);

  it("a listed node that did not acknowledge (gone from the bus unnoticed) makes the answer pending", async () => {
    const guest = await createGuest(a);
    // Listed as live, never on the bus: what a node that lost Redis looks like to the
    // others until it notices (the bus itself only waits for the servers still subscribed).
    await beatNode(a.db, "node-that-lost-the-bus");
    try {
      expect(await revokeOn(a, guest.sessionId)).toBe("pending");
      const link = await createGatewayLink(REDIS_URL, () => {}, {
        expectedNodes: () => liveNodeIds(a.db),
      });
      try {
        const other = await createGuest(a);
        expect(await link.announce({ ...other, generation: 9, revoked: true })).toEqual({
          confirmed: false,
        });
        await removeNode(a.db, "node-that-lost-the-bus");
        expect(await link.announce({ ...other, generation: 9, revoked: true })).toEqual({
          confirmed: true,
        });
      } finally {
        await link.close();
      }
    } finally {
      await removeNode(a.db, "node-that-lost-the-bus");
    }
  }, 30_000);
});

describe("scale-out faults", () => {
  it("two users chatting across nodes with Redis killed and restarted mid-chat: every message once, in order", async () => {
    const redis = await startRedisServer();
    const store2 = await createPostgresStore();
    const x = await startTestNode("X", { store: store2, redisUrl: redis.url, observe: false });
    const y = await startTestNode("Y", { store: store2, redisUrl: redis.url, observe: false });
    try {
      const users: {
        guest: TestGuest;
        sender: TestClient;
        watcher: ReturnType<typeof watch>;
        channel: string;
      }[] = [];
      for (const [from, to] of [
        [x, y],
        [y, x],
      ] as const) {
        const guest = await createGuest(from);
        const sender = await connectTo(from.node.url, guest.token);
        const watcherSocket = await connectTo(to.node.url, guest.token);
        const watcher = watch(watcherSocket, guest.userId, "concierge");
        await watcher.sync();
        const join = await emitAck(sender, "channel:join", { agentId: "concierge" });
        const channel = join.status === "OK" ? join.data.channel : "";
        users.push({ guest, sender, watcher, channel });
      }
      const round = async (label: string) => {
        for (let i = 0; i < 5; i++) {
          for (const u of users) await send(u.sender, u.channel, `${label} ${u.guest.userId} ${i}`);
        }
      };
      await round("before");
      await redis.kill();
      await round("during");
      await redis.restart();
      await waitFor(
        () => [x, y].every((n) => n.logs.some((l) => l.event === "bus.recovered")),
        15_000,
      );
      await round("after");
      await pause(500);
      for (const u of users) {
        await expectConverged(x.db, u.channel, u.watcher.messages);
        expect(u.watcher.messages().filter((m) => m.authorKind === "user")).toHaveLength(15);
      }
    } finally {
      await x.stop();
      await y.stop();
      await redis.stop();
      await store2.dispose();
    }
  }, 90_000);

  it("one node killed: its clients reconnect to the other and fill the gap from the store", async () => {
    const store3 = await createPostgresStore();
    const p = await startTestNode("P", { store: store3, redisUrl: REDIS_URL, observe: false });
    const q = await startTestNode("Q", { store: store3, redisUrl: REDIS_URL, observe: false });
    const alive = new Set([p.node.url, q.node.url]);
    const proxy = await startFailoverProxy(() => [...alive]);
    try {
      const guest = await createGuest(p);
      const viaProxy = await connectTo(proxy.url, guest.token, { reconnection: true });
      const watcher = watch(viaProxy, guest.userId, "concierge");
      await watcher.sync();
      const sender = await connectTo(q.node.url, guest.token);
      const channel = toDirectChannel(guest.userId, "concierge");
      await emitAck(sender, "channel:join", { agentId: "concierge" });
      for (let i = 0; i < 3; i++) await send(sender, channel, `before kill ${i}`);
      await waitFor(() => watcher.messages().length >= 3, 10_000);

      alive.delete(p.node.url);
      await p.stop();
      for (let i = 0; i < 3; i++) await send(sender, channel, `while down ${i}`);
      await waitFor(() => viaProxy.connected, 15_000);
      for (let i = 0; i < 3; i++) await send(sender, channel, `after ${i}`);
      await pause(300);
      await expectConverged(q.db, channel, watcher.messages);
      expect(watcher.messages().filter((m) => m.authorKind === "user")).toHaveLength(9);
      viaProxy.disconnect();
    } finally {
      await proxy.close();
      await p.stop();
      await q.stop();
      await store3.dispose();
    }
  }, 60_000);
});
