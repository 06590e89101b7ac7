/** A lone UTF-16 surrogate: a high one not followed by a low one, or a low one not after a high. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether `text` can be stored and given back exactly as sent: well-formed Unicode (a lone
 * surrogate would come back as U+FFFD, so the stored text would differ from the sent one)
 * with no NUL (PostgreSQL text cannot hold it). Everything else, emoji included, is kept.
 */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

/**
 * `text` as it can be stored: NULs dropped, each lone surrogate replaced by U+FFFD. For text
 * Foyer did not get from a person (a model's answer), which it keeps rather than refuses.
 */
export function toStorableText(text: string): string {
  return text.replaceAll("\u0000", "").replace(LONE_SURROGATES, "\uFFFD");
}

/** What a refused text reads, wherever one is refused. */
export const UNSTORABLE_TEXT_MESSAGE = "The text holds a NUL or a broken character.";
