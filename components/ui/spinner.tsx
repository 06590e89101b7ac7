import { cn } from "@/lib/utils";

export interface SpinnerProps {
  /** Announced to assistive technology; omit when the surrounding text already says it. */
  label?: string;
  className?: string;
}

const RING =
  "inline-block size-[1em] shrink-0 animate-spin rounded-full border-2 border-current border-r-transparent align-[-0.15em]";

/** A small spinning ring in the current text colour. */
export function Spinner({ label, className }: SpinnerProps) {
  if (!label)
    return <span data-slot="spinner" className={cn(RING, className)} aria-hidden="true" />;
  return (
    <output data-slot="spinner" className={cn(RING, className)}>
      <span className="sr-only">{label}</span>
    </output>
  );
}
