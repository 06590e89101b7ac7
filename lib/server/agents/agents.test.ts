import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/realtime/events";
import { BUILT_IN_AGENT_NAMES, createBuiltInAgent, createBuiltInAgents } from "./built-in";
import { CONCIERGE_SUGGESTIONS, createConcierge, toConciergeAnswer } from "./concierge";
import { createAgentRegistry } from "./registry";
import {
  createStoryteller,
  STORYTELLER_SUGGESTIONS,
  toStory,
  toStoryPieces,
  toStoryTopic,
} from "./storyteller";
import type { Agent, AgentOutcome } from "./types";

function userMessage(body: string): ChatMessage {
  return {
    id: "msg_1",
    channel: "direct-usr_1-concierge",
    seq: 1,
    clientMessageId: "c1",
    authorId: "usr_1",
    authorKind: "user",
    body,
    createdAt: new Date(0).toISOString(),
    status: null,
    note: null,
    replyTo: null,
  };
}

/** Every piece `agent` yields for `body`, and what its `reply` returned. */
async function collectReply(agent: Agent, body: string, signal = new AbortController().signal) {
  const pieces: string[] = [];
  const reply = agent.reply({ history: [], userMessage: userMessage(body), signal });
  for (;;) {
    const next = await reply.next();
    if (next.done) return { pieces, outcome: next.value };
    pieces.push(next.value);
  }
}

async function collectPieces(agent: Agent, body: string, signal = new AbortController().signal) {
  return (await collectReply(agent, body, signal)).pieces;
}

const fakeAgent = (id: string): Agent => ({
  id,
  name: id,
  description: "",
  streams: false,
  suggestions: [],
  async *reply(): AsyncGenerator<string, AgentOutcome | undefined> {
    yield "";
    return { finishReason: "stop" };
  },
});

describe("createAgentRegistry", () => {
  it("lists summaries in order and gets by id", () => {
    const registry = createBuiltInAgents();
    expect(registry.list().map((a) => a.id)).toEqual(["concierge", "storyteller"]);
    expect(registry.list()[0]).toEqual({
      id: "concierge",
      name: "Foyer Concierge",
      description: expect.any(String),
      streams: false,
      suggestions: CONCIERGE_SUGGESTIONS,
    });
    expect(registry.list()[1]?.streams).toBe(true);
    expect(registry.list()[1]?.suggestions).toEqual(STORYTELLER_SUGGESTIONS);
    expect(registry.get("storyteller")?.name).toBe("Storyteller");
  });

  it("returns null for unknown, malformed and non-string ids", () => {
    const registry = createBuiltInAgents();
    for (const id of ["nobody", "", "concierge ", "CONCIERGE", 7, null, undefined, {}]) {
      expect(registry.get(id)).toBeNull();
    }
  });

  it("does not expose its internals through list()", () => {
    const registry = createBuiltInAgents();
    const listed = registry.list();
    (listed[0] as { name: string }).name = "changed";
    expect(registry.list()[0]?.name).toBe("Foyer Concierge");
    expect(Object.keys(listed[0] ?? {})).not.toContain("reply");
    listed[0]?.suggestions.push("changed");
    expect(registry.list()[0]?.suggestions).toEqual(CONCIERGE_SUGGESTIONS);
  });

  it("lists no suggestions for an agent that has none", () => {
    const { suggestions: _none, ...withoutSuggestions } = fakeAgent("bare");
    const registry = createAgentRegistry([withoutSuggestions as Agent]);
    expect(registry.list()[0]?.suggestions).toEqual([]);
  });

  it("builds each built-in bot by its name", () => {
    expect(BUILT_IN_AGENT_NAMES.map((name) => createBuiltInAgent(name).id)).toEqual([
      "concierge",
      "storyteller",
    ]);
  });

  it.each(["with-dash", "", "has space", "x".repeat(65)])("refuses the agent id %j", (id) => {
    expect(() => createAgentRegistry([fakeAgent(id)])).toThrow(/agents: id/);
  });

  it("refuses duplicate ids", () => {
    expect(() => createAgentRegistry([fakeAgent("a"), fakeAgent("a")])).toThrow(/duplicate/);
  });
});

describe("concierge", () => {
  const now = new Date("2030-01-02T03:04:05Z");

  it.each([
    ["hello", /Hello and welcome/],
    ["Good morning!", /Hello and welcome/],
    ["help", /I can greet you.*\n\n- \*\*Hello\*\*:.*\n- \*\*Time\*\*:/s],
    ["What can you do?", /I can greet you/],
    ["what time is it?", /Wed, 02 Jan 2030 03:04:05 GMT/],
    ["how do I sign up", /\*\*sign up\*\* or \*\*sign in\*\*/],
    ["thanks!", /welcome!/],
    ["bye", /Goodbye/],
    ["who are you", /Foyer Concierge/],
    ["qwertyuiop", /did not catch that/],
  ])("answers %j", (text, expected) => {
    expect(toConciergeAnswer(text, now)).toMatch(expected);
  });

  it("answers the help as a markdown list with bold names, one item a line", () => {
    const items = toConciergeAnswer("help", now)
      .split("\n")
      .filter((line) => line.startsWith("- "));
    expect(items.length).toBeGreaterThanOrEqual(3);
    for (const item of items) expect(item).toMatch(/^- \*\*[A-Z][a-z]+\*\*: /);
  });

  it("answers in exactly one piece, does not stream, and ends with stop", async () => {
    const agent = createConcierge({ now: () => now });
    expect(agent.streams).toBe(false);
    expect(await collectReply(agent, "hi")).toEqual({
      pieces: [toConciergeAnswer("hi", now)],
      outcome: { finishReason: "stop" },
    });
  });

  it("says nothing once aborted, and returns no outcome", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await collectReply(createConcierge(), "hi", controller.signal)).toEqual({
      pieces: [],
      outcome: undefined,
    });
  });
});

describe("storyteller", () => {
  it("takes the topic after 'about', cleaned, else a default", () => {
    expect(toStoryTopic("Tell me a story about a brave fox!")).toBe("a brave fox");
    expect(toStoryTopic("about <script>alert(1)</script>")).toBe("script alert 1 script");
    expect(toStoryTopic("a story please")).toBe("a curious little lantern");
    expect(toStoryTopic(`about ${"x".repeat(500)}`)).toHaveLength(60);
  });

  it("is deterministic and mentions the topic", () => {
    expect(toStory("about a fox")).toBe(toStory("about a fox"));
    expect(toStory("about a fox")).toContain("A fox");
    expect(toStory("about a fox")).toMatch(/The end\.$/);
  });

  it("is markdown: a bold title as one piece, then a paragraph word by word", () => {
    const [title, ...words] = toStoryPieces("Tell me a story about a brave fox");
    expect(title).toBe("**The tale of a brave fox**\n\n");
    expect(words.length).toBeGreaterThan(20);
    for (const [i, word] of words.entries()) expect(word).toMatch(i === 0 ? /^\S+$/ : /^ \S+$/);
  });

  it("streams the story in many small pieces that add up to it", async () => {
    const agent = createStoryteller({ delayInMs: 0 });
    expect(agent.streams).toBe(true);
    const { pieces, outcome } = await collectReply(agent, "about a fox");
    expect(pieces.length).toBeGreaterThan(20);
    expect(pieces.join("")).toBe(toStory("about a fox"));
    expect(outcome).toEqual({ finishReason: "stop" });
  });

  it("waits the configured delay between pieces", async () => {
    const agent = createStoryteller({ delayInMs: 5 });
    const started = performance.now();
    const pieces = await collectPieces(agent, "about a fox");
    expect(performance.now() - started).toBeGreaterThanOrEqual(pieces.length * 4);
  });

  it("stops promptly when aborted mid-story", async () => {
    const agent = createStoryteller({ delayInMs: 1000 });
    const controller = new AbortController();
    const pieces: string[] = [];
    const started = performance.now();
    setTimeout(() => controller.abort(), 20);
    for await (const piece of agent.reply({
      history: [],
      userMessage: userMessage("about a fox"),
      signal: controller.signal,
    })) {
      pieces.push(piece);
    }
    expect(pieces).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
