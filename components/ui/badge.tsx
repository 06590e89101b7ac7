import { Slot } from "@radix-ui/react-slot";
import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/** shadcn/ui's badge variants, plus `tag` (the small upper-case label) and `count` (unread). */
export const badgeVariants = cva(
  "inline-flex w-fit shrink-0 items-center justify-center gap-1 whitespace-nowrap rounded-full border border-transparent font-semibold [&>svg]:pointer-events-none [&>svg]:size-3",
  {
    variants: {
      variant: {
        default: "bg-primary px-2 py-0.5 text-primary-foreground text-xs",
        secondary: "bg-secondary px-2 py-0.5 text-secondary-foreground text-xs",
        destructive: "bg-destructive px-2 py-0.5 text-destructive-foreground text-xs",
        outline: "border-border px-2 py-0.5 text-foreground text-xs",
        tag: "bg-accent px-1.5 text-[0.7rem] text-accent-foreground uppercase leading-relaxed tracking-wide",
        count: "min-w-5.5 bg-primary px-1.5 text-primary-foreground text-xs leading-5",
      },
    },
    defaultVariants: { variant: "default" },
  },
);

export interface BadgeProps extends ComponentProps<"span">, VariantProps<typeof badgeVariants> {
  asChild?: boolean;
}

export function Badge({ className, variant, asChild = false, ...props }: BadgeProps) {
  const Comp = asChild ? Slot : "span";
  return (
    <Comp data-slot="badge" className={cn(badgeVariants({ variant }), className)} {...props} />
  );
}
