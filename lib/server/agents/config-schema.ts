/**
 * The shape of the agents file (docs/agents.md), as zod schemas. Every object is strict, so
 * a misspelt field is named rather than ignored; config.ts reads the file and words the errors.
 */
import { z } from "zod";
import { isId } from "../../shared/ids";
import { BUILT_IN_AGENT_NAMES } from "./built-in";

/** Default wait from sending a request to the first streamed chunk. */
export const DEFAULT_FIRST_TOKEN_MS = 30_000;
/** Default longest silence between two chunks once the answer has started. */
export const DEFAULT_IDLE_MS = 20_000;
/** The bounds a file may set either timeout to. */
export const TIMEOUT_BOUNDS_MS = { min: 100, max: 600_000 } as const;
/** At most this many suggestions an agent offers. */
export const SUGGESTIONS_MAX = 6;
/** Request fields Foyer sets itself, which `params.extra` may not override. */
export const RESERVED_REQUEST_FIELDS = ["model", "messages", "stream", "stream_options"] as const;

/** An environment variable's name: what `apiKeyEnv` holds (never the key itself). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const timeoutMs = z.number().int().min(TIMEOUT_BOUNDS_MS.min).max(TIMEOUT_BOUNDS_MS.max);

const timeoutsSchema = z.strictObject({
  firstTokenMs: timeoutMs.optional(),
  idleMs: timeoutMs.optional(),
});

/** `provider` of a model behind an OpenAI-compatible `/chat/completions` endpoint. */
export const openAICompatibleProviderSchema = z.strictObject({
  type: z.literal("openai-compatible"),
  baseURL: z.url({
    protocol: /^https?$/,
    error: (issue) => (issue.input === undefined ? "Required" : "Invalid URL"),
  }),
  model: z.string().trim().min(1, "Required"),
  apiKeyEnv: z
    .string()
    .regex(ENV_NAME, "Must name an environment variable (letters, digits, _), not hold a key")
    .optional(),
  streamUsage: z.boolean().optional(),
  timeouts: timeoutsSchema.optional(),
});

/** `provider` of one of the bots Foyer ships with. */
export const builtInProviderSchema = z.strictObject({
  type: z.literal("built-in"),
  name: z.enum(BUILT_IN_AGENT_NAMES),
});

const providerSchema = z.discriminatedUnion(
  "type",
  [openAICompatibleProviderSchema, builtInProviderSchema],
  {
    error: (issue) =>
      issue.input === undefined
        ? "Required"
        : 'Must have "type": "openai-compatible" or "built-in"',
  },
);

const penalty = z.number().min(-2).max(2);

/** Sampling parameters passed to the model with every request. */
export const paramsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  presence_penalty: penalty.optional(),
  frequency_penalty: penalty.optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  seed: z.number().int().optional(),
  /** Fields a server takes beyond OpenAI's (e.g. `top_k`), sent as they are. */
  extra: z
    .record(z.string(), z.json())
    .refine((extra) => !RESERVED_REQUEST_FIELDS.some((field) => field in extra), {
      error: `May not set ${RESERVED_REQUEST_FIELDS.join(", ")}: Foyer sets them`,
    })
    .optional(),
});

const allowance = z.number().int().min(0).max(1_000_000);

/** Per-agent daily allowances (see `AgentLimits` in types.ts). */
export const limitsSchema = z.strictObject({
  guestMessagesPerDay: allowance.optional(),
  memberMessagesPerDay: allowance.optional(),
  guestMessagesPerAddressPerDay: allowance.optional(),
});

/** One entry of `agents`. */
export const agentEntrySchema = z
  .strictObject({
    id: z.string().refine(isId, "Must be 1–64 letters, digits or _ (it is part of channel names)"),
    name: z.string().trim().min(1, "Must not be empty").max(64).optional(),
    description: z.string().trim().max(300).optional(),
    provider: providerSchema,
    system: z.string().max(20_000).optional(),
    params: paramsSchema.optional(),
    suggestions: z.array(z.string().trim().min(1).max(200)).max(SUGGESTIONS_MAX).optional(),
    limits: limitsSchema.optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.provider.type === "openai-compatible" && entry.name === undefined) {
      ctx.addIssue({ code: "custom", path: ["name"], message: "Required" });
    }
    if (entry.provider.type === "built-in") {
      for (const field of ["system", "params"] as const) {
        if (entry[field] !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [field],
            message: "Only an openai-compatible agent takes this",
          });
        }
      }
    }
  });

/** The whole file: `{"agents": [...]}`, ids unique. */
export const agentsFileSchema = z
  .strictObject({ agents: z.array(agentEntrySchema).min(1, "List at least one agent") })
  .superRefine((file, ctx) => {
    const firstIndex = new Map<string, number>();
    for (const [index, entry] of file.agents.entries()) {
      const earlier = firstIndex.get(entry.id);
      if (earlier === undefined) firstIndex.set(entry.id, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: ["agents", index, "id"],
          message: `Duplicate id "${entry.id}" (also agents[${earlier}].id)`,
        });
      }
    }
  });

/** A parsed `provider` of type `openai-compatible`. */
export type OpenAICompatibleProvider = z.infer<typeof openAICompatibleProviderSchema>;
/** Parsed `params`. */
export type AgentParams = z.infer<typeof paramsSchema>;
/** A parsed entry of `agents`. */
export type AgentEntry = z.infer<typeof agentEntrySchema>;
/** A parsed agents file. */
export type AgentsFile = z.infer<typeof agentsFileSchema>;

/** What `createOpenAICompatibleAgent` needs: an entry with an OpenAI-compatible provider. */
export interface OpenAICompatibleAgentConfig {
  id: string;
  name: string;
  description?: string;
  provider: OpenAICompatibleProvider;
  system?: string;
  params?: AgentParams;
  suggestions?: string[];
  limits?: z.infer<typeof limitsSchema>;
}
