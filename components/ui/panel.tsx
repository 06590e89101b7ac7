import type { ReactNode } from "react";

export interface PanelProps {
  title: string;
  tone?: "neutral" | "danger";
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
  role?: "alert" | "status";
}

/** A centred notice card for whole-page states (loading, errors, ended sessions). */
export function Panel({ title, tone = "neutral", children, actions, testId, role }: PanelProps) {
  return (
    <section
      className={`panel panel--${tone}`}
      data-testid={testId}
      role={role}
      aria-labelledby={testId ? `${testId}-title` : undefined}
    >
      <h2 className="panel__title" id={testId ? `${testId}-title` : undefined}>
        {title}
      </h2>
      {children ? <div className="panel__body">{children}</div> : null}
      {actions ? <div className="panel__actions">{actions}</div> : null}
    </section>
  );
}
