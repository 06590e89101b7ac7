"use client";

import { useId } from "react";
import type { Theme } from "@/lib/shared/preferences";

export interface ThemeSelectProps {
  theme: Theme;
  disabled: boolean;
  onChange: (theme: Theme) => void;
}

const THEMES: { value: Theme; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/** The theme preference (kept on the server, so it follows the visitor when they sign in). */
export function ThemeSelect({ theme, disabled, onChange }: ThemeSelectProps) {
  const id = useId();
  return (
    <>
      <label className="sr-only" htmlFor={id}>
        Theme
      </label>
      <select
        id={id}
        className="h-8 cursor-pointer rounded-md border border-input bg-card px-1.5 text-[0.85rem] text-foreground shadow-xs disabled:cursor-not-allowed disabled:opacity-55"
        value={theme}
        disabled={disabled}
        data-testid="theme-select"
        onChange={(e) => onChange(e.target.value as Theme)}
      >
        {THEMES.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </select>
    </>
  );
}
