import { z } from "zod";
import { ID_PATTERN } from "../ids";

/** Longest legacy guest token (from an older client's localStorage) we accept. */
export const LEGACY_TOKEN_MAX_LENGTH = 4096;

/** Body of POST /api/web/guest-session (and of the authority's POST /v1/guest-session). */
export const guestSessionRequestSchema = z
  .object({
    mode: z.enum(["lookup_or_create", "lookup_only"]),
    legacyToken: z.string().min(1).max(LEGACY_TOKEN_MAX_LENGTH).optional(),
  })
  .strict();

export type GuestSessionRequest = z.infer<typeof guestSessionRequestSchema>;
export type GuestSessionMode = GuestSessionRequest["mode"];

/**
 * 200 body: the identity the cookies name, with a fresh socket token. That is the member
 * when a live member session cookie is present (then `email` is set), else the guest.
 */
export const guestSessionResponseSchema = z.object({
  userId: z.string().regex(ID_PATTERN),
  kind: z.enum(["guest", "member"]),
  email: z.string().optional(),
  /**
   * Members only: a live, unmerged guest cookie is still present (a merge failed earlier);
   * the client offers to retry the merge.
   */
  guestPending: z.boolean().optional(),
  /**
   * This answer set a new guest cookie (a guest was created, or a legacy token re-issued):
   * the client verifies with a lookup that never mints that the browser kept it.
   */
  issued: z.boolean().optional(),
  /**
   * What became of the `legacyToken` the request carried: `migrated` (it now lives on as
   * the guest cookie, or its guest was merged into this member) or `unknown` (it names no
   * live guest). Absent: it was not looked at (another credential answered first), so the
   * client keeps it for later.
   */
  legacy: z.enum(["migrated", "unknown"]).optional(),
  socketToken: z.string().min(1),
  /** ISO-8601 expiry of `socketToken`. */
  expiresAt: z.string().datetime(),
});

export type GuestSessionResponse = z.infer<typeof guestSessionResponseSchema>;
