"use client";

import { type FormEvent, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import { TextLink } from "@/components/ui/text-link";
import { type ApiResult, retryMerge, signIn, signUp } from "@/lib/client/api/auth";
import { verifyHandoff } from "@/lib/client/identity/handoff";
import { notifyIdentityChanged } from "@/lib/client/identity/tab-sync";
import { type AuthResponse, PASSWORD_MIN_LENGTH } from "@/lib/shared/contracts/auth";
import { cn } from "@/lib/utils";
import { AuthField } from "./auth-field";
import { MergeFailed } from "./merge-failed";

export type AuthMode = "sign-in" | "sign-up";

export interface AuthFormProps {
  mode: AuthMode;
  /** A guest session exists: its conversations will come along. */
  hasGuest: boolean;
}

type Phase =
  | { name: "form" }
  | { name: "submitting" }
  | { name: "merging"; member: AuthResponse }
  | { name: "merge_failed"; member: AuthResponse; message: string }
  | { name: "verifying"; member: AuthResponse };

/** A message box inside the form (an error, progress). */
const NOTE = "rounded-md px-3 py-2.5 text-sm";

const COPY = {
  "sign-in": {
    title: "Sign in",
    submit: "Sign in",
    password: "current-password",
    switchText: "New to Foyer?",
    switchLink: "/sign-up",
    switchLabel: "Create an account",
  },
  "sign-up": {
    title: "Create your account",
    submit: "Create account",
    password: "new-password",
    switchText: "Already have an account?",
    switchLabel: "Sign in",
    switchLink: "/sign-in",
  },
} as const;

/**
 * Sign-in and sign-up. On success the guest's data comes along (merged by the server);
 * a failed merge is retried with backoff, and on final failure the visitor sees that their
 * guest conversations are safe and can retry or continue. The new identity is verified
 * with a lookup that never mints before the chat is opened.
 */
export function AuthForm({ mode, hasGuest }: AuthFormProps) {
  const copy = COPY[mode];
  const ids = { email: useId(), password: useId(), error: useId() };
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ name: "form" });

  async function finish(member: AuthResponse) {
    setPhase({ name: "verifying", member });
    const verified = await verifyHandoff(mode === "sign-in" ? "sign_in" : "sign_up", {
      userId: member.userId,
    });
    notifyIdentityChanged({ userId: member.userId, kind: "member" });
    if (verified.kind !== "verified") {
      setError("Your sign-in did not take effect in this browser. Reload the page and try again.");
      setPhase({ name: "form" });
      return;
    }
    window.location.assign("/");
  }

  async function merge(member: AuthResponse) {
    setPhase({ name: "merging", member });
    const outcome = await retryMerge();
    if (outcome.kind === "merged") return finish(member);
    setPhase({ name: "merge_failed", member, message: outcome.message });
  }

  function onResult(result: ApiResult<AuthResponse>) {
    if (result.kind === "error") {
      setFields(result.fields ?? {});
      setError(result.fields ? null : result.message);
      setPhase({ name: "form" });
      return;
    }
    if (result.data.merge.status === "failed") return void merge(result.data);
    void finish(result.data);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (phase.name !== "form") return;
    setError(null);
    setFields({});
    setPhase({ name: "submitting" });
    const input = { email, password };
    onResult(mode === "sign-in" ? await signIn(input) : await signUp(input));
  }

  if (phase.name === "merge_failed") {
    return (
      <MergeFailed
        message={phase.message}
        onRetry={() => void merge(phase.member)}
        onContinue={() => void finish(phase.member)}
      />
    );
  }

  const busy = phase.name !== "form";
  return (
    <Card asChild className="max-w-105">
      <section aria-labelledby={`${ids.error}-title`} data-testid="auth-form">
        <CardHeader>
          <CardTitle id={`${ids.error}-title`}>{copy.title}</CardTitle>
          <CardDescription>
            {hasGuest
              ? "Everything you did as a guest (conversations, stars, preferences) comes with you."
              : "Keep your conversations on every device."}
          </CardDescription>
        </CardHeader>
        <form className="grid gap-4" noValidate onSubmit={onSubmit} aria-describedby={ids.error}>
          {error ? (
            <p
              className={cn(NOTE, "bg-destructive-subtle text-destructive")}
              role="alert"
              id={ids.error}
              data-testid="auth-error"
            >
              {error}
            </p>
          ) : null}
          <AuthField
            id={ids.email}
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fields.email}
            data-testid="auth-email"
          />
          <AuthField
            id={ids.password}
            label="Password"
            type="password"
            name="password"
            autoComplete={copy.password}
            required
            minLength={mode === "sign-up" ? PASSWORD_MIN_LENGTH : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fields.password}
            hint={mode === "sign-up" ? `At least ${PASSWORD_MIN_LENGTH} characters.` : undefined}
            data-testid="auth-password"
          />
          {phase.name === "merging" ? (
            <p
              className={cn(NOTE, "bg-accent text-accent-foreground")}
              role="status"
              data-testid="auth-merging"
            >
              <Spinner /> Bringing your guest conversations over…
            </p>
          ) : null}
          <Button type="submit" disabled={busy} data-testid="auth-submit">
            {busy ? <Spinner /> : null}
            {copy.submit}
          </Button>
        </form>
        <p className="text-center text-muted-foreground text-sm">
          {copy.switchText} <TextLink href={copy.switchLink}>{copy.switchLabel}</TextLink>
        </p>
      </section>
    </Card>
  );
}
