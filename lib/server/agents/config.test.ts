import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONCIERGE_SUGGESTIONS } from "./concierge";
import { AGENTS_FILE_NAME, AgentsConfigError, type LoadAgentsOptions, loadAgents } from "./config";
import { STORYTELLER_SUGGESTIONS } from "./storyteller";

const ROOT = "/srv/foyer";
const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

/** A `readFile` over `files` (absolute path → text) that throws ENOENT like readFileSync. */
function filesystem(files: Record<string, string>): LoadAgentsOptions["readFile"] {
  return (filePath) => {
    const text = files[filePath];
    if (text === undefined) {
      throw Object.assign(new Error(`ENOENT: ${filePath}`), { code: "ENOENT" });
    }
    return text;
  };
}

const assistant = () => ({
  id: "assistant",
  name: "Assistant",
  description: "A model on this machine.",
  provider: {
    type: "openai-compatible",
    baseURL: "http://127.0.0.1:11434/v1",
    model: "llama3.2",
    apiKeyEnv: "OLLAMA_API_KEY",
    streamUsage: true,
    timeouts: { firstTokenMs: 30000, idleMs: 20000 },
  },
  system: "You are a friendly assistant.",
  params: { temperature: 0.7, max_tokens: 1024 },
  suggestions: ["What can you do?", "Tell me a joke"],
  limits: { guestMessagesPerDay: 20, memberMessagesPerDay: 200, guestMessagesPerAddressPerDay: 20 },
});
const concierge = () => ({ id: "concierge", provider: { type: "built-in", name: "concierge" } });

/** Loads `file` (any JSON value, or text) as the default agents file of ROOT. */
function load(file: unknown, env: Record<string, string> = {}) {
  const text = typeof file === "string" ? file : JSON.stringify(file, null, 2);
  return loadAgents({
    env,
    projectRoot: ROOT,
    readFile: filesystem({ [path.join(ROOT, AGENTS_FILE_NAME)]: text }),
  });
}

/** The message `load(file)` throws, which must be an AgentsConfigError. */
function problemWith(file: unknown): string {
  try {
    load(file);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentsConfigError);
    return (error as Error).message;
  }
  throw new Error("the file loaded");
}

describe("loadAgents, a valid file", () => {
  it("offers its agents in order, from the default file in the project root", () => {
    const { registry, source } = load({ agents: [assistant(), concierge()] });
    expect(source).toBe(path.join(ROOT, "foyer.agents.json"));
    expect(registry.list()).toEqual([
      {
        id: "assistant",
        name: "Assistant",
        description: "A model on this machine.",
        streams: true,
        suggestions: ["What can you do?", "Tell me a joke"],
      },
      {
        id: "concierge",
        name: "Foyer Concierge",
        description: expect.stringContaining("friendly helper"),
        streams: false,
        suggestions: CONCIERGE_SUGGESTIONS,
      },
    ]);
    expect(registry.get("assistant")?.limits).toEqual(assistant().limits);
  });

  it("takes the least an openai-compatible entry needs: id, name, provider with model", () => {
    const minimal = {
      id: "m",
      name: "M",
      provider: { type: "openai-compatible", baseURL: "https://api.openai.com/v1", model: "x" },
    };
    const { registry } = load({ agents: [minimal] });
    expect(registry.list()).toEqual([
      { id: "m", name: "M", description: "", streams: true, suggestions: [] },
    ]);
    expect(registry.get("m")?.limits).toBeUndefined();
  });

  it("lets a built-in entry override the bot's name, description and suggestions", async () => {
    const entry = {
      id: "teller",
      name: "Tales",
      description: "Stories.",
      suggestions: ["A story about a cat"],
      limits: { guestMessagesPerDay: 3 },
      provider: { type: "built-in", name: "storyteller" },
    };
    const { registry } = loadAgents({
      env: {},
      projectRoot: ROOT,
      readFile: filesystem({
        [path.join(ROOT, AGENTS_FILE_NAME)]: JSON.stringify({ agents: [entry] }),
      }),
      builtIn: { storytellerDelayInMs: 0 },
    });
    expect(registry.list()).toEqual([
      {
        id: "teller",
        name: "Tales",
        description: "Stories.",
        streams: true,
        suggestions: ["A story about a cat"],
      },
    ]);
    const agent = registry.get("teller");
    expect(agent?.limits).toEqual({ guestMessagesPerDay: 3 });
    const pieces: string[] = [];
    const reply = agent?.reply({
      history: [],
      userMessage: {
        id: "msg_1",
        channel: "direct-usr_1-teller",
        seq: 1,
        clientMessageId: "c1",
        authorId: "usr_1",
        authorKind: "user",
        body: "about a cat",
        createdAt: new Date(0).toISOString(),
        status: null,
        note: null,
        replyTo: null,
      },
      signal: new AbortController().signal,
    });
    for await (const piece of reply ?? []) pieces.push(piece);
    expect(pieces.join("")).toContain("A cat");
  });

  it("gives a built-in entry the bot's own name and suggestions by default", () => {
    const storyteller = { id: "storyteller", provider: { type: "built-in", name: "storyteller" } };
    const { registry } = load({ agents: [storyteller] });
    expect(registry.list()[0]).toMatchObject({
      name: "Storyteller",
      suggestions: STORYTELLER_SUGGESTIONS,
    });
  });
});

describe("loadAgents, which file", () => {
  it("offers the built-in bots when there is no file", () => {
    const { registry, source } = loadAgents({
      env: {},
      projectRoot: ROOT,
      readFile: filesystem({}),
    });
    expect(source).toBe("built-in");
    expect(registry.list().map((agent) => agent.id)).toEqual(["concierge", "storyteller"]);
  });

  it("reads FOYER_AGENTS_FILE, relative to the project root or absolute, before the default", () => {
    const text = JSON.stringify({ agents: [concierge()] });
    const files = filesystem({
      [path.join(ROOT, "config/agents.json")]: text,
      "/etc/foyer/agents.json": text,
      [path.join(ROOT, AGENTS_FILE_NAME)]: "not even json",
    });
    for (const [named, expected] of [
      ["config/agents.json", path.join(ROOT, "config/agents.json")],
      ["/etc/foyer/agents.json", "/etc/foyer/agents.json"],
    ]) {
      const loaded = loadAgents({
        env: { FOYER_AGENTS_FILE: named },
        projectRoot: ROOT,
        readFile: files,
      });
      expect(loaded.source).toBe(expected);
    }
  });

  it("refuses a FOYER_AGENTS_FILE that does not exist, rather than falling back", () => {
    expect(() =>
      loadAgents({
        env: { FOYER_AGENTS_FILE: "config/missing.json" },
        projectRoot: ROOT,
        readFile: filesystem({}),
      }),
    ).toThrow(
      new AgentsConfigError("config/missing.json: No such file (FOYER_AGENTS_FILE names it)"),
    );
  });

  it("refuses a file it cannot read", () => {
    const readFile = () => {
      throw Object.assign(new Error("EACCES"), { code: "EACCES" });
    };
    expect(() => loadAgents({ env: {}, projectRoot: ROOT, readFile })).toThrow(
      new AgentsConfigError("foyer.agents.json: Cannot be read"),
    );
  });

  it("names a file outside the project root by its absolute path", () => {
    const readFile = filesystem({ "/etc/foyer/agents.json": "{}" });
    expect(() =>
      loadAgents({
        env: { FOYER_AGENTS_FILE: "/etc/foyer/agents.json" },
        projectRoot: ROOT,
        readFile,
      }),
    ).toThrow("/etc/foyer/agents.json: agents: Required");
  });
});

describe("loadAgents, a bad file", () => {
  it("says where JSON breaks, without quoting the file", () => {
    const message = problemWith('{\n  "agents": [sk-live-123]\n}');
    expect(message).toMatch(
      /^foyer\.agents\.json: Not valid JSON \((line 2, column \d+|unexpected "s")\)$/,
    );
    expect(message).not.toContain("sk-live");
    expect(problemWith('{"agents": [')).toMatch(
      /: Not valid JSON \((it ends too early|line 1, column 13)\)$/,
    );
    expect(problemWith('{"agents": 1 2}')).toBe(
      "foyer.agents.json: Not valid JSON (line 1, column 14)",
    );
  });

  type EditableFile = { agents: Record<string, unknown>[] };
  /** The object at `agents[index][field]` of `file`, to edit in place. */
  const partOf = (file: EditableFile, index: number, field: string) => {
    const part = file.agents[index]?.[field];
    if (typeof part !== "object" || part === null) throw new Error(`no agents[${index}].${field}`);
    return part as Record<string, unknown>;
  };
  /** `agents[index]` of `file`, to edit in place. */
  const entryOf = (file: EditableFile, index: number) => {
    const entry = file.agents[index];
    if (!entry) throw new Error(`no agents[${index}]`);
    return entry;
  };

  const edits: [string, (file: EditableFile) => void, string][] = [
    [
      "an invalid URL",
      (f) => Object.assign(partOf(f, 0, "provider"), { baseURL: "nope" }),
      "agents[0].provider.baseURL: Invalid URL",
    ],
    [
      "a URL that is not http(s)",
      (f) => Object.assign(partOf(f, 0, "provider"), { baseURL: "ftp://models.example/v1" }),
      "agents[0].provider.baseURL: Invalid URL",
    ],
    [
      "no baseURL",
      (f) => delete partOf(f, 0, "provider").baseURL,
      "agents[0].provider.baseURL: Required",
    ],
    [
      "no model",
      (f) => delete partOf(f, 0, "provider").model,
      "agents[0].provider.model: Required",
    ],
    [
      "an empty model",
      (f) => Object.assign(partOf(f, 0, "provider"), { model: "  " }),
      "agents[0].provider.model: Required",
    ],
    [
      "an unknown provider type",
      (f) => Object.assign(partOf(f, 0, "provider"), { type: "openai" }),
      'agents[0].provider.type: Must have "type": "openai-compatible" or "built-in"',
    ],
    [
      "an unknown built-in bot",
      (f) => Object.assign(partOf(f, 1, "provider"), { name: "butler" }),
      'agents[1].provider.name: Invalid option: expected one of "concierge"|"storyteller"',
    ],
    [
      "an id with a dash",
      (f) => Object.assign(entryOf(f, 0), { id: "my-assistant" }),
      "agents[0].id: Must be 1–64 letters, digits or _",
    ],
    ["a model agent without a name", (f) => delete entryOf(f, 0).name, "agents[0].name: Required"],
    [
      "a misspelt field",
      (f) => {
        const provider = partOf(f, 0, "provider");
        provider.baseUrl = provider.baseURL;
        delete provider.baseURL;
      },
      'agents[0].provider.baseUrl: Unknown field (did you mean "baseURL"?)',
    ],
    [
      "a camel-cased param",
      (f) => Object.assign(partOf(f, 0, "params"), { maxTokens: 10 }),
      'agents[0].params.maxTokens: Unknown field (did you mean "max_tokens"?)',
    ],
    [
      "a param missing a letter",
      (f) => Object.assign(partOf(f, 0, "params"), { max_completion_token: 10 }),
      'agents[0].params.max_completion_token: Unknown field (did you mean "max_completion_tokens"?)',
    ],
    [
      "a misspelt top-level field",
      (f) => Object.assign(f, { agent: [] }),
      'agent: Unknown field (did you mean "agents"?)',
    ],
    [
      "an unknown field on an entry",
      (f) => Object.assign(entryOf(f, 0), { avatar: "x.png" }),
      "agents[0].avatar: Unknown field",
    ],
    [
      "a temperature out of range",
      (f) => Object.assign(partOf(f, 0, "params"), { temperature: 3 }),
      "agents[0].params.temperature: Too big",
    ],
    [
      "extra params that override Foyer's",
      (f) => Object.assign(partOf(f, 0, "params"), { extra: { stream: false } }),
      "agents[0].params.extra: May not set model, messages, stream, stream_options",
    ],
    [
      "a timeout too small",
      (f) => Object.assign(partOf(f, 0, "provider"), { timeouts: { idleMs: 5 } }),
      "agents[0].provider.timeouts.idleMs: Too small",
    ],
    [
      "a timeout as text",
      (f) => Object.assign(partOf(f, 0, "provider"), { timeouts: { firstTokenMs: "30s" } }),
      "agents[0].provider.timeouts.firstTokenMs: Invalid input: expected number",
    ],
    [
      "streamUsage not a boolean",
      (f) => Object.assign(partOf(f, 0, "provider"), { streamUsage: "yes" }),
      "agents[0].provider.streamUsage: Invalid input: expected boolean",
    ],
    [
      "a key where the variable's name goes",
      (f) => Object.assign(partOf(f, 0, "provider"), { apiKeyEnv: "sk-proj-abc123" }),
      "agents[0].provider.apiKeyEnv: Must name an environment variable",
    ],
    [
      "a negative allowance",
      (f) => Object.assign(partOf(f, 0, "limits"), { guestMessagesPerDay: -1 }),
      "agents[0].limits.guestMessagesPerDay: Too small",
    ],
    [
      "an unknown limit",
      (f) => Object.assign(partOf(f, 0, "limits"), { guestMessagesPerWeek: 9 }),
      "agents[0].limits.guestMessagesPerWeek: Unknown field",
    ],
    [
      "too many suggestions",
      (f) => Object.assign(entryOf(f, 0), { suggestions: Array(7).fill("Hi") }),
      "agents[0].suggestions: Too big",
    ],
    [
      "an empty suggestion",
      (f) => Object.assign(entryOf(f, 0), { suggestions: ["ok", " "] }),
      "agents[0].suggestions[1]: Too small",
    ],
    [
      "a system prompt on a built-in bot",
      (f) => Object.assign(entryOf(f, 1), { system: "Be nice." }),
      "agents[1].system: Only an openai-compatible agent takes this",
    ],
    [
      "duplicate ids",
      (f) => f.agents.push(concierge()),
      'agents[2].id: Duplicate id "concierge" (also agents[1].id)',
    ],
    ["no agents", (f) => f.agents.splice(0), "agents: List at least one agent"],
  ];

  it.each(edits)("names %s by file and field", (_name, edit, expected) => {
    const file = { agents: [assistant(), concierge()] as Record<string, unknown>[] };
    edit(file);
    expect(problemWith(file)).toContain(`foyer.agents.json: ${expected}`);
  });

  it("names every problem, one a line", () => {
    const file = { agents: [{ ...assistant(), id: "a-b", name: "" }, { id: "x" }] };
    const lines = problemWith(file).split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^foyer\.agents\.json: agents\[0\]\.id: /),
      expect.stringMatching(/^foyer\.agents\.json: agents\[0\]\.name: Must not be empty$/),
      "foyer.agents.json: agents[1].provider: Required",
    ]);
  });

  it("says what is wrong with a file that is not an object", () => {
    expect(problemWith([])).toBe(
      "foyer.agents.json: Invalid input: expected object, received array",
    );
  });

  it.each([
    ["provider.apiKey", (p: Record<string, unknown>) => Object.assign(p, { apiKey: "sk-live-1" })],
    [
      "provider.api_key",
      (p: Record<string, unknown>) => Object.assign(p, { api_key: "sk-live-1" }),
    ],
    ["provider.key", (p: Record<string, unknown>) => Object.assign(p, { key: "sk-live-1" })],
    [
      "provider.headers.API-KEY",
      (p: Record<string, unknown>) => Object.assign(p, { headers: { "API-KEY": "sk-live-1" } }),
    ],
  ])("refuses a key in the file (%s) and says where keys go", (field, edit) => {
    const entry = assistant();
    edit(entry.provider);
    const message = problemWith({ agents: [entry] });
    expect(message).toBe(
      `foyer.agents.json: agents[0].${field}: Do not put a key in this file: put it in an ` +
        'environment variable and name that variable in "apiKeyEnv"',
    );
    expect(message).not.toContain("sk-live");
  });
});

describe("the documented agents files", () => {
  it("docs/foyer.agents.example.json loads", () => {
    const { registry, source } = loadAgents({
      env: { FOYER_AGENTS_FILE: "docs/foyer.agents.example.json" },
      projectRoot: REPO_ROOT,
      readFile: (filePath) => readFileSync(filePath, "utf8"),
    });
    expect(source).toBe(path.join(REPO_ROOT, "docs/foyer.agents.example.json"));
    expect(registry.list().length).toBeGreaterThanOrEqual(3);
    expect(registry.list().map((agent) => agent.id)).toContain("concierge");
  });

  it("every agents file in docs/agents.md loads", () => {
    const markdown = readFileSync(path.join(REPO_ROOT, "docs/agents.md"), "utf8");
    const examples = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? "")
      .filter((block) => block.trimStart().startsWith('{\n  "agents"'));
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const example of examples) {
      expect(() => load(example), example).not.toThrow();
    }
  });
});
