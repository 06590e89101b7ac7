import type { IdentityKind } from "@/lib/shared/contracts/identity";

export interface IdentityBadgeProps {
  userId: string;
  kind: IdentityKind;
  /** Members: the account's email. */
  email?: string;
}

/** Who this tab is chatting as. Only rendered with a live session, so it never shows a stale id. */
export function IdentityBadge({ userId, kind, email }: IdentityBadgeProps) {
  const label = kind === "member" ? "Member" : "Guest";
  const shortId = userId.slice(-6);
  return (
    <div
      className={`identity-badge identity-badge--${kind}`}
      data-testid="identity-badge"
      data-user-id={userId}
      data-kind={kind}
      title={email ? `${label} ${email}` : `${label} ${userId}`}
    >
      <span className="identity-badge__avatar" aria-hidden="true">
        {label[0]}
      </span>
      <span className="identity-badge__text">
        <span className="identity-badge__kind">{label}</span>
        {email ? (
          <span className="identity-badge__id" data-testid="identity-email">
            {email}
          </span>
        ) : (
          <span className="identity-badge__id">
            <span className="visually-hidden">id ending </span>…{shortId}
          </span>
        )}
      </span>
    </div>
  );
}
