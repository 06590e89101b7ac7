"use client";

import type { CSSProperties } from "react";
import { useSyncExternalStore } from "react";
import { Toaster as Sonner, type ToasterProps } from "sonner";

type Theme = NonNullable<ToasterProps["theme"]>;

function subscribeToTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}

/** The page's theme (`<html data-theme>`, see app/layout.tsx), as sonner names it. */
function useDocumentTheme(): Theme {
  return useSyncExternalStore(
    subscribeToTheme,
    () => {
      const theme = document.documentElement.dataset.theme;
      return theme === "light" || theme === "dark" ? theme : "system";
    },
    () => "system",
  );
}

/** Toasts (`toast()` from "sonner"); mounted once in the root layout, coloured by the tokens. */
export function Toaster(props: ToasterProps) {
  return (
    <Sonner
      theme={useDocumentTheme()}
      className="toaster group"
      style={
        {
          "--normal-bg": "var(--popover)",
          "--normal-text": "var(--popover-foreground)",
          "--normal-border": "var(--border)",
        } as CSSProperties
      }
      {...props}
    />
  );
}
