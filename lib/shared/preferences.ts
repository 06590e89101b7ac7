import { z } from "zod";

/** A visitor's preferences. Kept per user (guest or member) and merged on sign-in. */
export const preferencesSchema = z.object({
  theme: z.enum(["system", "light", "dark"]),
});

export type Preferences = z.infer<typeof preferencesSchema>;
export type Theme = Preferences["theme"];

export const DEFAULT_PREFERENCES: Preferences = { theme: "system" };

/** Where a browser remembers the last theme it showed, to apply it before the first paint. */
export const THEME_STORAGE_KEY = "foyer.theme";

/** What a client may change: any subset of the preferences. */
export const preferencesPatchSchema = preferencesSchema.partial().strict();

/** Stored preferences with defaults for anything missing or unknown (never throws). */
export function toPreferences(stored: unknown): Preferences {
  const source = typeof stored === "object" && stored !== null ? stored : {};
  const theme = preferencesSchema.shape.theme.safeParse(Reflect.get(source, "theme"));
  return { theme: theme.success ? theme.data : DEFAULT_PREFERENCES.theme };
}
