import { cva } from "class-variance-authority";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import type { IdentityKind } from "@/lib/shared/contracts/identity";

const avatarVariants = cva("text-[0.8rem]", {
  variants: {
    kind: {
      guest: "bg-muted text-muted-foreground",
      member: "bg-primary text-primary-foreground",
    },
  },
});

export interface IdentityBadgeProps {
  userId: string;
  kind: IdentityKind;
  /** Members: the account's email. */
  email?: string;
}

const ID = "truncate font-mono text-[0.7rem] text-muted-foreground";

/** Who this tab is chatting as. Only rendered with a live session, so it never shows a stale id. */
export function IdentityBadge({ userId, kind, email }: IdentityBadgeProps) {
  const label = kind === "member" ? "Member" : "Guest";
  const shortId = userId.slice(-6);
  return (
    <div
      className="flex min-w-0 items-center gap-2 rounded-full border py-0.5 pr-3 pl-1 max-md:p-0.5"
      data-testid="identity-badge"
      data-user-id={userId}
      data-kind={kind}
      title={email ? `${label} ${email}` : `${label} ${userId}`}
    >
      <Avatar className="size-7" aria-hidden="true">
        <AvatarFallback className={avatarVariants({ kind })}>{label[0]}</AvatarFallback>
      </Avatar>
      <span className="flex min-w-0 flex-col leading-tight max-md:hidden">
        <span className="font-semibold text-[0.85rem]">{label}</span>
        {email ? (
          <span className={ID} data-testid="identity-email">
            {email}
          </span>
        ) : (
          <span className={ID}>
            <span className="sr-only">id ending </span>…{shortId}
          </span>
        )}
      </span>
    </div>
  );
}
