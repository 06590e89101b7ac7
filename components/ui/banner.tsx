import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

const bannerVariants = cva(
  "flex flex-wrap items-center gap-x-2.5 gap-y-1.5 border-b px-5 py-2 text-sm max-md:px-3",
  {
    variants: {
      tone: {
        info: "bg-warning-subtle text-warning",
        danger: "justify-between bg-destructive-subtle text-destructive",
      },
    },
    defaultVariants: { tone: "info" },
  },
);

export interface BannerProps extends ComponentProps<"div">, VariantProps<typeof bannerVariants> {}

/** A full-width strip above the conversation: why something changed or is unavailable. */
export function Banner({ className, tone, ...props }: BannerProps) {
  return <div data-slot="banner" className={cn(bannerVariants({ tone }), className)} {...props} />;
}
