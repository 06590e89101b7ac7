import type { Agent, AgentOutcome, AgentReplyInput } from "./types";

/** The Concierge's agent id (also its name in a `built-in` entry of the agents file). */
export const CONCIERGE_ID = "concierge";

/** Prompts an empty conversation with the Concierge offers. */
export const CONCIERGE_SUGGESTIONS = ["What can you do?", "What time is it?", "How do I sign up?"];

/** How to build a Concierge. */
export interface ConciergeOptions {
  /** Clock for the "what time is it" answer; tests pass a fixed one. */
  now?: () => Date;
}

interface Rule {
  test: RegExp;
  answer: (now: Date) => string;
}

const CAPABILITIES = [
  "I can greet you, tell you the time, and explain how Foyer works:",
  "",
  '- **Hello**: say "hi" and I greet you.',
  '- **Time**: ask "what time is it?" and I tell you (in UTC).',
  '- **Accounts**: ask "how do I sign up?" and I explain guests and members.',
  "- **Stories**: open a chat with the **Storyteller**.",
  "",
  "You can chat as a guest in as many tabs as you like; when you sign up or sign in, your " +
    "conversations come with you.",
].join("\n");

// First match wins, so the specific questions come before the greetings.
const RULES: Rule[] = [
  {
    test: /\b(help|what can you do|what do you do|commands?|how does (this|foyer) work)\b/i,
    answer: () => CAPABILITIES,
  },
  {
    test: /\b(time|clock|date|today)\b/i,
    answer: (now) => `It is **${now.toUTCString()}** (UTC).`,
  },
  {
    test: /\b(sign ?up|sign ?in|log ?in|account|register|guest)\b/i,
    answer: () =>
      "You are welcome to stay a guest. If you **sign up** or **sign in**, everything you did " +
      "as a guest comes with you.",
  },
  {
    test: /\b(who are you|your name|are you (a )?(bot|human))\b/i,
    answer: () => "I am the **Foyer Concierge**, a small rule-based bot. No humans were harmed.",
  },
  { test: /\b(thanks|thank you|thx|cheers)\b/i, answer: () => "You are welcome!" },
  { test: /\b(bye|goodbye|see you|good night)\b/i, answer: () => "Goodbye, come back any time." },
  {
    test: /^\s*(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening))\b/i,
    answer: () => "Hello and welcome to Foyer! Ask me for **help** to see what I can do.",
  },
];

const FALLBACK =
  'I am a simple concierge and did not catch that. Try "help", "what time is it?" or "hello".';

/** The concierge's answer (markdown) to `text`; pure apart from the clock. */
export function toConciergeAnswer(text: string, now: Date): string {
  const rule = RULES.find((r) => r.test.test(text));
  return rule ? rule.answer(now) : FALLBACK;
}

/** "Foyer Concierge": a friendly rule-based helper. Answers in one piece (no streaming). */
export function createConcierge(options: ConciergeOptions = {}): Agent {
  const now = options.now ?? (() => new Date());
  return {
    id: CONCIERGE_ID,
    name: "Foyer Concierge",
    description: "A friendly helper: greetings, help, the time, and how Foyer works.",
    streams: false,
    suggestions: [...CONCIERGE_SUGGESTIONS],
    async *reply(input: AgentReplyInput): AsyncGenerator<string, AgentOutcome | undefined> {
      if (input.signal.aborted) return undefined;
      yield toConciergeAnswer(input.userMessage.body, now());
      return { finishReason: "stop" };
    },
  };
}
