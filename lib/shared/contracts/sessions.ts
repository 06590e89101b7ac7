import { z } from "zod";
import { ID_PATTERN } from "../ids";

/**
 * Session control (the Sessions page) and token rotation: POST /api/web/sessions/*,
 * /api/web/guest-session/end and /api/web/socket-token/rotate, and the authority routes
 * behind them. Bodies are strict; the member or guest comes only from the cookies.
 */

export const sessionInfoSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  /** The browser's user agent when the session started (cut to 512 characters). */
  userAgent: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  /** The session this request came with. */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const listSessionsRequestSchema = z.object({}).strict();
export const listSessionsResponseSchema = z.object({ sessions: z.array(sessionInfoSchema) });
export type ListSessionsResponse = z.infer<typeof listSessionsResponseSchema>;

export const revokeSessionRequestSchema = z
  .object({ sessionId: z.string().regex(ID_PATTERN, "Not a session id.") })
  .strict();

/** `pending`: ended durably, but some gateway node did not confirm in time. */
export const revocationResponseSchema = z.object({
  status: z.enum(["revoked", "signed_out", "pending"]),
});
export type RevocationResponse = z.infer<typeof revocationResponseSchema>;

export const endGuestSessionRequestSchema = z.object({}).strict();

export const rotateTokenRequestSchema = z.object({ token: z.string().min(1).max(4096) }).strict();
export const rotateTokenResponseSchema = z.object({
  userId: z.string().regex(ID_PATTERN),
  socketToken: z.string().min(1),
  expiresAt: z.iso.datetime(),
  status: z.enum(["rotated", "pending"]),
});
export type RotateTokenResponse = z.infer<typeof rotateTokenResponseSchema>;
