import { z } from "zod";
import { ID_PATTERN } from "../ids";

export type IdentityKind = "guest" | "member";

/** Who a request or socket acts for, as resolved from cookies by the authority. */
export interface Identity {
  userId: string;
  kind: IdentityKind;
  sessionId: string;
}

export const identitySchema = z.object({
  userId: z.string().regex(ID_PATTERN),
  kind: z.enum(["guest", "member"]),
  sessionId: z.string().regex(ID_PATTERN),
});
