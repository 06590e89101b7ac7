"use client";

import { CheckIcon, CopyIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

/** How long "Copied" (or the failure) stays on the button. */
const FEEDBACK_IN_MS = 2000;

type CopyState = "idle" | "copied" | "failed";

const FEEDBACK: Record<Exclude<CopyState, "idle">, string> = {
  copied: "Copied",
  failed: "Could not copy",
};

/** Props of {@link CopyButton}. */
export interface CopyButtonProps {
  /** What lands on the clipboard. */
  text: string;
  /** The button's name before it is pressed, e.g. "Copy code". */
  label: string;
  /** Show the label next to the icon (otherwise it is for screen readers only). */
  showLabel?: boolean;
  className?: string;
  "data-testid"?: string;
}

/**
 * Copies `text` with the async clipboard API and says "Copied" for a moment (announced
 * politely). Where the clipboard is unavailable (an insecure origin), it says so instead.
 */
export function CopyButton({
  text,
  label,
  showLabel = false,
  className,
  "data-testid": testId,
}: CopyButtonProps) {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), FEEDBACK_IN_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = () => {
    const clipboard = typeof navigator === "undefined" ? undefined : navigator.clipboard;
    if (!clipboard) {
      setState("failed");
      return;
    }
    clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  const shown = state === "idle" ? label : FEEDBACK[state];

  return (
    <Button
      variant="ghost"
      size="sm"
      className={cn("h-7 gap-1 px-2 text-muted-foreground text-xs has-[>svg]:px-2", className)}
      onClick={copy}
      data-testid={testId}
      data-state={state}
    >
      {state === "copied" ? (
        <CheckIcon className="size-3.5" aria-hidden="true" />
      ) : (
        <CopyIcon className="size-3.5" aria-hidden="true" />
      )}
      <span className={cn(!showLabel && state === "idle" && "sr-only")} aria-live="polite">
        {shown}
      </span>
    </Button>
  );
}
