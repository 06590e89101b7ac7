"use client";

import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { MESSAGE_BODY_MAX_LENGTH } from "@/lib/shared/realtime/events";

export interface ComposerProps {
  agentName: string | null;
  /** Why sending is not possible right now; null when it is. */
  disabledReason: string | null;
  /** Changes when another conversation opens; the composer then takes focus (fine pointers only). */
  focusKey: string | null;
  /** Returns true when the message was accepted for sending (the text is then cleared). */
  onSend: (body: string) => boolean;
  /** The connection is down: what is sent now waits for it. */
  offline?: boolean;
}

/** Message input: Enter sends, Shift+Enter adds a line, IME composition is left alone. */
export function Composer({
  agentName,
  disabledReason,
  focusKey,
  onSend,
  offline = false,
}: ComposerProps) {
  const [text, setText] = useState("");
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const focusedKey = useRef<string | null>(null);
  const hintId = useId();
  const inputId = useId();
  const disabled = disabledReason !== null;

  useEffect(() => {
    if (disabled || focusKey === null || focusedKey.current === focusKey) return;
    focusedKey.current = focusKey;
    // On touch screens focusing would pop the keyboard over the conversation.
    if (window.matchMedia("(pointer: fine)").matches) inputRef.current?.focus();
  }, [disabled, focusKey]);

  const submit = () => {
    if (disabled || !text.trim()) return;
    if (onSend(text)) setText("");
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  const remaining = MESSAGE_BODY_MAX_LENGTH - text.length;
  const label = agentName ? `Message ${agentName}` : "Message";

  return (
    <form
      className="grid grid-cols-[minmax(0,1fr)_auto] gap-x-2 gap-y-1 border-t bg-card px-5 pt-3 pb-2.5 max-md:px-3 max-md:py-2"
      onSubmit={onSubmit}
    >
      <label htmlFor={inputId} className="sr-only">
        {label}
      </label>
      <Textarea
        id={inputId}
        ref={inputRef}
        className="max-h-[40vh] min-h-11 resize-none rounded-lg px-3.5 py-2.5"
        data-testid="composer-input"
        rows={1}
        maxLength={MESSAGE_BODY_MAX_LENGTH}
        placeholder={disabled ? disabledReason : `${label}…`}
        value={text}
        disabled={disabled}
        aria-describedby={hintId}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <Button
        type="submit"
        size="icon"
        className="size-11 self-end rounded-lg"
        data-testid="composer-send"
        aria-label="Send message"
        disabled={disabled || !text.trim()}
      >
        <svg
          className="size-5"
          viewBox="0 0 24 24"
          width="20"
          height="20"
          aria-hidden="true"
          focusable="false"
        >
          <path d="M3.4 20.4 21 12 3.4 3.6l-.01 6.53L15 12 3.39 13.87z" fill="currentColor" />
        </svg>
      </Button>
      <p className="col-span-full text-muted-foreground text-xs" id={hintId}>
        {disabled
          ? disabledReason
          : offline
            ? "Offline: what you send now goes out when the connection is back"
            : remaining < 200
              ? `${remaining} characters left`
              : "Enter to send · Shift+Enter for a new line"}
      </p>
    </form>
  );
}
