import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps, ReactNode } from "react";
import { cn } from "@/lib/utils";

const panelVariants = cva(
  "w-full max-w-110 rounded-lg border bg-card p-7 text-center text-card-foreground shadow-sm max-sm:p-5",
  {
    variants: {
      tone: {
        neutral: "",
        danger: "border-t-4 border-t-destructive",
      },
    },
    defaultVariants: { tone: "neutral" },
  },
);

export interface PanelProps extends VariantProps<typeof panelVariants> {
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
  role?: "alert" | "status";
  className?: string;
}

/**
 * A centred notice card for whole-page states (loading, errors, ended sessions). It is what
 * the page shows, so its title is the page's `h1`.
 */
export function Panel({ title, tone, children, actions, testId, role, className }: PanelProps) {
  const titleId = testId ? `${testId}-title` : undefined;
  return (
    <section
      data-slot="panel"
      className={cn(panelVariants({ tone }), className)}
      data-testid={testId}
      role={role}
      aria-labelledby={titleId}
    >
      <h1 className="mb-2 font-bold text-lg" id={titleId}>
        {title}
      </h1>
      {children ? <div className="grid gap-2 text-muted-foreground">{children}</div> : null}
      {actions ? <div className="mt-5 flex flex-wrap justify-center gap-2">{actions}</div> : null}
    </section>
  );
}

/** Smaller print inside a panel (an error code, a detail). */
export function PanelDetail({ className, ...props }: ComponentProps<"p">) {
  return <p className={cn("text-sm", className)} {...props} />;
}
