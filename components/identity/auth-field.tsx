import type { ComponentProps } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils";

export interface AuthFieldProps extends Omit<ComponentProps<typeof Input>, "id"> {
  id: string;
  label: string;
  /** What is wrong with the value (from the server); shown in place of the hint. */
  error?: string;
  hint?: string;
}

/**
 * A labelled input with its error or hint below, which the input names as its description;
 * `aria-invalid` while there is an error.
 */
export function AuthField({ id, label, error, hint, ...input }: AuthFieldProps) {
  const message = error ?? hint;
  const messageId = `${id}-message`;
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={message ? messageId : undefined}
        {...input}
      />
      {message ? (
        <span
          className={cn(
            error ? "text-[0.85rem] text-destructive" : "text-[0.8rem] text-muted-foreground",
          )}
          id={messageId}
        >
          {message}
        </span>
      ) : null}
    </div>
  );
}
