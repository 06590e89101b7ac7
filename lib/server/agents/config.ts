/**
 * Which agents a node offers: the agents file (docs/agents.md) named by `FOYER_AGENTS_FILE`,
 * else `foyer.agents.json` in the project root when there is one, else the built-in bots.
 * A bad file stops the start with every problem named by file and field.
 */
import path from "node:path";
import type { z } from "zod";
import { type BuiltInAgentsOptions, createBuiltInAgent, createBuiltInAgents } from "./built-in";
import {
  type AgentEntry,
  agentEntrySchema,
  agentsFileSchema,
  builtInProviderSchema,
  limitsSchema,
  openAICompatibleProviderSchema,
  paramsSchema,
} from "./config-schema";
import { type AgentEnv, createOpenAICompatibleAgent } from "./openai-compatible";
import { createAgentRegistry } from "./registry";
import type { Agent, AgentRegistry } from "./types";

/** The agents file looked for in the project root when `FOYER_AGENTS_FILE` is unset. */
export const AGENTS_FILE_NAME = "foyer.agents.json";
/** The variable naming the agents file (absolute, or relative to the project root). */
export const AGENTS_FILE_VARIABLE = "FOYER_AGENTS_FILE";

/** A missing, unreadable or invalid agents file; the message names the file and each field. */
export class AgentsConfigError extends Error {
  override name = "AgentsConfigError";
}

/** Where `loadAgents` looks, and how it reads. */
export interface LoadAgentsOptions {
  /** Environment variables: `FOYER_AGENTS_FILE`, and the keys `apiKeyEnv` names. */
  env: AgentEnv;
  /** Where `foyer.agents.json` is looked for, and what a relative `FOYER_AGENTS_FILE` is from. */
  projectRoot: string;
  /** The file's text; throws an error with code `ENOENT` when there is none (`readFileSync`). */
  readFile: (filePath: string) => string;
  /** For the built-in bots (tests pass a clock or no delay). */
  builtIn?: BuiltInAgentsOptions;
}

/** The agents to offer, and where they came from. */
export interface LoadedAgents {
  registry: AgentRegistry;
  /** The agents file's absolute path, or "built-in" when there was none. */
  source: string;
}

/** Field names that hold a key: refused anywhere in the file. */
const KEY_FIELD = /^(api[-_]?key|key)$/i;

/** Every field name the schema knows, to suggest one for a misspelt field. */
const KNOWN_FIELDS = [
  "agents",
  ...Object.keys(agentEntrySchema.shape),
  ...Object.keys(openAICompatibleProviderSchema.shape),
  ...Object.keys(builtInProviderSchema.shape),
  ...Object.keys(paramsSchema.shape),
  ...Object.keys(limitsSchema.shape),
  "firstTokenMs",
  "idleMs",
];

const toComparable = (name: string) => name.toLowerCase().replace(/[-_]/g, "");

/** How many single-letter edits turn `a` into `b` (Levenshtein). */
function toEditDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (const [i, charA] of [...a].entries()) {
    const current = [i + 1];
    for (const [j, charB] of [...b].entries()) {
      current.push(
        Math.min(
          (previous[j + 1] ?? 0) + 1,
          (current[j] ?? 0) + 1,
          (previous[j] ?? 0) + (charA === charB ? 0 : 1),
        ),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known field `name` is most likely a typo of: same letters, or at most two edits off. */
function toMeantField(name: string): string | undefined {
  const typed = toComparable(name);
  let best: { field: string; distance: number } | undefined;
  for (const field of KNOWN_FIELDS) {
    const distance = toEditDistance(typed, toComparable(field));
    if (distance <= Math.min(2, Math.floor(typed.length / 3)) && distance < (best?.distance ?? 3)) {
      best = { field, distance };
    }
  }
  return best?.field;
}

/** `agents[0].provider.baseURL` for the path `["agents", 0, "provider", "baseURL"]`. */
function toFieldPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((part, i) =>
      typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

/** One line of an error: `file: field.path: problem` (no field path for the whole file). */
function toLine(label: string, parts: readonly PropertyKey[], problem: string): string {
  return parts.length === 0
    ? `${label}: ${problem}`
    : `${label}: ${toFieldPath(parts)}: ${problem}`;
}

function unknownField(name: string): string {
  const meant = toMeantField(name);
  return meant ? `Unknown field (did you mean "${meant}"?)` : "Unknown field";
}

/** The lines for zod's issues, in Foyer's words where zod's are vague. */
function toIssueLines(label: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => toLine(label, [...issue.path, key], unknownField(key)));
    }
    const missing = issue.code === "invalid_type" && /received undefined$/.test(issue.message);
    return [toLine(label, issue.path, missing ? "Required" : issue.message)];
  });
}

/** The paths of fields in `value` whose name says they hold a key. */
function findKeyFields(value: unknown, parts: PropertyKey[] = []): PropertyKey[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => findKeyFields(item, [...parts, i]));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([name, inner]) =>
    KEY_FIELD.test(name) ? [[...parts, name]] : findKeyFields(inner, [...parts, name]),
  );
}

/**
 * "Not valid JSON", with where (or what) when the parser says; never the text around it,
 * which may hold a key.
 */
function toJsonProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : "";
  const at = /at position (\d+)/.exec(message);
  if (!at) {
    const token = /^Unexpected token '(.)'/.exec(message)?.[1];
    if (token) return `Not valid JSON (unexpected "${token}")`;
    return /end of JSON input/.test(message)
      ? "Not valid JSON (it ends too early)"
      : "Not valid JSON";
  }
  const before = text.slice(0, Number(at[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `Not valid JSON (line ${line}, column ${column})`;
}

function toAgent(entry: AgentEntry, options: LoadAgentsOptions): Agent {
  const { provider } = entry;
  if (provider.type === "openai-compatible") {
    return createOpenAICompatibleAgent(
      { ...entry, name: entry.name ?? entry.id, provider },
      options.env,
    );
  }
  const bot = createBuiltInAgent(provider.name, options.builtIn);
  return {
    ...bot,
    id: entry.id,
    name: entry.name ?? bot.name,
    description: entry.description ?? bot.description,
    suggestions: entry.suggestions ?? bot.suggestions,
    limits: entry.limits ?? bot.limits,
  };
}

/** The registry the text of an agents file describes; `label` names the file in errors. */
function toRegistry(text: string, label: string, options: LoadAgentsOptions): AgentRegistry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AgentsConfigError(toLine(label, [], toJsonProblem(error, text)));
  }
  const keyFields = findKeyFields(json);
  if (keyFields.length > 0) {
    const problem =
      'Do not put a key in this file: put it in an environment variable and name that variable in "apiKeyEnv"';
    throw new AgentsConfigError(keyFields.map((parts) => toLine(label, parts, problem)).join("\n"));
  }
  const parsed = agentsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new AgentsConfigError(toIssueLines(label, parsed.error.issues).join("\n"));
  }
  return createAgentRegistry(parsed.data.agents.map((entry) => toAgent(entry, options)));
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
}

/**
 * The agents to offer (see the file's comment). Throws `AgentsConfigError` for a file
 * `FOYER_AGENTS_FILE` names that does not exist, and for any file that cannot be read or is
 * not a valid agents file, naming the file (as given, or relative to the project root) and
 * each bad field: `foyer.agents.json: agents[0].provider.baseURL: Invalid URL`.
 */
export function loadAgents(options: LoadAgentsOptions): LoadedAgents {
  const named = options.env[AGENTS_FILE_VARIABLE]?.trim() || undefined;
  const filePath = path.resolve(options.projectRoot, named ?? AGENTS_FILE_NAME);
  const inRoot = path.relative(options.projectRoot, filePath);
  const label = named ?? (inRoot.startsWith("..") ? filePath : inRoot);
  let text: string;
  try {
    text = options.readFile(filePath);
  } catch (error) {
    if (isNotFound(error) && named === undefined) {
      return { registry: createBuiltInAgents(options.builtIn), source: "built-in" };
    }
    const problem = isNotFound(error)
      ? `No such file (${AGENTS_FILE_VARIABLE} names it)`
      : "Cannot be read";
    throw new AgentsConfigError(toLine(label, [], problem));
  }
  return { registry: toRegistry(text, label, options), source: filePath };
}
