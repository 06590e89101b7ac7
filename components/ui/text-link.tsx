import Link from "next/link";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/** A link inside running text: underlined, so it is never told apart by colour alone. */
export function TextLink({ className, ...props }: ComponentProps<typeof Link>) {
  return (
    <Link
      data-slot="text-link"
      className={cn(
        "font-semibold text-primary underline underline-offset-4 hover:decoration-2",
        className,
      )}
      {...props}
    />
  );
}
