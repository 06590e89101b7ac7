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
      <label className="visually-hidden" htmlFor={id}>
        Theme
      </label>
      <select
        id={id}
        className="theme-select"
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
