"use client";

import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { TextLink } from "@/components/ui/text-link";
import { Textarea } from "@/components/ui/textarea";
import { type Allowance, MESSAGE_BODY_MAX_LENGTH } from "@/lib/shared/realtime/events";
import { cn } from "@/lib/utils";

/** At or below this many messages left, the composer says how many remain. */
const LOW_ALLOWANCE_LEFT = 5;
/** …or at or below this share of the day's limit. */
const LOW_ALLOWANCE_SHARE = 0.2;

/** What the composer says about the open agent's daily allowance. */
export interface AllowanceNotice {
  /** `out`: nothing can be sent to this agent until tomorrow (or signing up). */
  level: "low" | "out";
  /** The sentence, up to the sign-up link if there is one. */
  text: string;
  /** For a guest: the link to sign up, and what follows it. */
  signUp: { label: string; after: string } | null;
}

function toMessages(count: number): string {
  return `${count} ${count === 1 ? "message" : "messages"}`;
}

/**
 * The allowance notice for the open agent, or null while plenty is left. A guest is told
 * what signing up gives (the member allowance); a member, when it starts again.
 */
export function toAllowanceNotice(
  allowance: Allowance | null,
  agentName: string | null,
): AllowanceNotice | null {
  if (!allowance) return null;
  const { kind, limit, left, memberLimit } = allowance;
  const agent = agentName ?? "this agent";
  const guest = kind === "guest";
  const more = memberLimit === null ? "more" : String(memberLimit);
  if (left <= 0) {
    const used = `You've used today's ${toMessages(limit)} with ${agent}.`;
    if (!guest) return { level: "out", text: `${used} It resets at midnight UTC.`, signUp: null };
    const after = memberLimit === null ? " to get more." : ` to get ${memberLimit} a day.`;
    return { level: "out", text: `${used} `, signUp: { label: "Sign up", after } };
  }
  if (left > LOW_ALLOWANCE_LEFT && left > limit * LOW_ALLOWANCE_SHARE) return null;
  const remaining = `${toMessages(left)} left today`;
  if (!guest) return { level: "low", text: `${remaining} with ${agent}`, signUp: null };
  return {
    level: "low",
    text: `${remaining} — `,
    signUp: { label: `sign up for ${more}`, after: "" },
  };
}

/** Whether `text` can be sent now: sending is possible, the allowance not used up, text typed. */
export function toCanSend(
  text: string,
  disabledReason: string | null,
  notice: AllowanceNotice | null,
): boolean {
  return disabledReason === null && notice?.level !== "out" && text.trim() !== "";
}

/** The notice above the input: how many messages are left, or that none are. */
function AllowanceLine({ notice, id }: { notice: AllowanceNotice; id: string }) {
  return (
    <p
      id={id}
      role="status"
      className={cn(
        "col-span-full rounded-md px-2.5 py-1.5 text-sm",
        notice.level === "out" ? "bg-warning-subtle text-warning" : "text-muted-foreground",
      )}
      data-testid="allowance-notice"
      data-level={notice.level}
    >
      {notice.text}
      {notice.signUp ? (
        <>
          <TextLink href="/sign-up">{notice.signUp.label}</TextLink>
          {notice.signUp.after}
        </>
      ) : null}
    </p>
  );
}

/** Props of {@link Composer}. */
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
  /**
   * What is left of the open agent's daily allowance (null: no allowance applies, or not
   * known yet). Low, it is shown; used up, sending to this agent is off.
   */
  allowance?: Allowance | null;
}

/**
 * Message input: Enter sends, Shift+Enter adds a line, IME composition is left alone. Above
 * it, the open agent's allowance when it runs low; used up, sending to that agent is off.
 */
export function Composer({
  agentName,
  disabledReason,
  focusKey,
  onSend,
  offline = false,
  allowance = null,
}: ComposerProps) {
  const [text, setText] = useState("");
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const focusedKey = useRef<string | null>(null);
  const hintId = useId();
  const inputId = useId();
  const noticeId = useId();
  const disabled = disabledReason !== null;
  const notice = toAllowanceNotice(allowance, agentName);
  const usedUp = notice?.level === "out";
  const canSend = toCanSend(text, disabledReason, notice);

  useEffect(() => {
    if (disabled || focusKey === null || focusedKey.current === focusKey) return;
    focusedKey.current = focusKey;
    // On touch screens focusing would pop the keyboard over the conversation.
    if (window.matchMedia("(pointer: fine)").matches) inputRef.current?.focus();
  }, [disabled, focusKey]);

  const submit = () => {
    if (!canSend) return;
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
      {notice ? <AllowanceLine notice={notice} id={noticeId} /> : null}
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
        aria-describedby={notice ? `${noticeId} ${hintId}` : hintId}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <Button
        type="submit"
        size="icon"
        className="size-11 self-end rounded-lg"
        data-testid="composer-send"
        aria-label="Send message"
        disabled={!canSend}
        // Used up: the notice says why the button is off.
        aria-describedby={usedUp ? noticeId : undefined}
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
