import { pause } from "./pause";
import type { Agent, AgentOutcome, AgentReplyInput } from "./types";

/** The Storyteller's agent id (also its name in a `built-in` entry of the agents file). */
export const STORYTELLER_ID = "storyteller";
/** Default pause between streamed pieces: ~40 pieces take about 1.5 s. */
export const STORYTELLER_DELAY_IN_MS = 40;
const TOPIC_MAX_LENGTH = 60;

/** Prompts an empty conversation with the Storyteller offers. */
export const STORYTELLER_SUGGESTIONS = [
  "Tell me a story about a brave fox",
  "A story about a lighthouse keeper",
];

/** How to build a Storyteller. */
export interface StorytellerOptions {
  /** Pause before each piece; tests use 0–5 ms. */
  delayInMs?: number;
}

const OPENINGS = [
  "Once upon a time, in a foyer lit by a single brass lamp,",
  "Long ago, when every door still remembered who had knocked,",
  "On a rainy evening, just past the coat racks,",
];
const MIDDLES = [
  "{topic} waited patiently for someone to ask the right question.",
  "{topic} set out to find the one visitor who had never been welcomed.",
  "{topic} discovered that every conversation leaves a small light behind.",
];
const ENDINGS = [
  "And when the question finally came, the whole house smiled. The end.",
  "By morning, nobody in the building felt like a stranger any more. The end.",
  "The lamp is still burning, in case you want to visit. The end.",
];

/** The subject of the story: what follows "about", else a default. Letters, digits, spaces. */
export function toStoryTopic(text: string): string {
  const about = /\babout\s+(.+)$/i.exec(text)?.[1] ?? "";
  const clean = about
    .replace(/[^\p{L}\p{N}\s']/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, TOPIC_MAX_LENGTH)
    .trim();
  return clean.length > 0 ? clean : "a curious little lantern";
}

function toHash(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash;
}

/**
 * The pieces the story for `text` streams in: its bold title as one piece (so the markdown
 * never shows half a title), then the words, each after the first with its leading space.
 */
export function toStoryPieces(text: string): string[] {
  const topic = toStoryTopic(text);
  const h = toHash(text);
  const pick = (list: string[], salt: number) => list[(h + salt) % list.length] as string;
  const subject = topic.charAt(0).toUpperCase() + topic.slice(1);
  const body = [pick(OPENINGS, 0), pick(MIDDLES, 1).replace("{topic}", subject), pick(ENDINGS, 2)];
  const words = body.join(" ").split(" ");
  return [`**The tale of ${topic}**\n\n`, ...words.map((word, i) => (i === 0 ? word : ` ${word}`))];
}

/** A short story for `text` in markdown (a bold title, then a paragraph); deterministic. */
export function toStory(text: string): string {
  return toStoryPieces(text).join("");
}

/** "Storyteller": streams a short story (markdown) word by word, with a small pause before each word. */
export function createStoryteller(options: StorytellerOptions = {}): Agent {
  const delayInMs = options.delayInMs ?? STORYTELLER_DELAY_IN_MS;
  return {
    id: STORYTELLER_ID,
    name: "Storyteller",
    description: "Tells a short story, streamed as it is written. Try “a story about a fox”.",
    streams: true,
    suggestions: [...STORYTELLER_SUGGESTIONS],
    async *reply(input: AgentReplyInput): AsyncGenerator<string, AgentOutcome | undefined> {
      for (const piece of toStoryPieces(input.userMessage.body)) {
        await pause(delayInMs, input.signal);
        if (input.signal.aborted) return undefined;
        yield piece;
      }
      return { finishReason: "stop" };
    },
  };
}
