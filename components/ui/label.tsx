import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/** A form label (shadcn/ui's, without the Radix wrapper: a native `<label>` does the work). */
export function Label({ className, ...props }: ComponentProps<"label">) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: callers pass `htmlFor` or wrap the control.
    <label
      data-slot="label"
      className={cn("flex select-none items-center gap-2 font-semibold text-sm", className)}
      {...props}
    />
  );
}
