/** Ids are `[A-Za-z0-9_]+` (no `-`), so channel names built from them parse unambiguously. */
export const ID_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

export function isId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** A new random id with a readable prefix, e.g. `createId("usr")` → `usr_3f9c…` (128 random bits). */
export function createId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}
