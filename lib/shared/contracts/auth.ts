import { z } from "zod";
import { ID_PATTERN } from "../ids";
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from "../text";
import { type RevocationResponse, revocationResponseSchema } from "./sessions";

/**
 * Bodies of the member routes: POST /api/web/auth/{sign-up,sign-in,sign-out,merge} and the
 * authority's /v1/auth/* behind them. Unknown keys are refused, so a client can never slip
 * in a guest id or a session id: the guest to merge comes only from the guest cookie.
 */

export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

const email = z
  .string()
  .trim()
  .max(EMAIL_MAX_LENGTH, "That email address is too long.")
  .pipe(z.email("Enter a valid email address."));

export const signUpRequestSchema = z
  .object({
    email,
    password: z
      .string()
      .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
      .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`)
      // A lone surrogate would be hashed as U+FFFD: two different passwords, one hash.
      .refine(isStorableText, UNSTORABLE_TEXT_MESSAGE),
  })
  .strict();

export const signInRequestSchema = z
  .object({
    email,
    // Not the sign-up rules: an old account's password must still be accepted here.
    password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX_LENGTH),
  })
  .strict();

export const signOutRequestSchema = z
  .object({
    /** End every session of the member, not only this one. */
    everywhere: z.boolean().optional(),
  })
  .strict();

export const mergeRequestSchema = z.object({}).strict();

export type SignUpRequest = z.infer<typeof signUpRequestSchema>;
export type SignInRequest = z.infer<typeof signInRequestSchema>;
export type SignOutRequest = z.infer<typeof signOutRequestSchema>;

/** What became of the guest's data on a sign-up, sign-in or merge retry. */
export const mergeSummarySchema = z.object({
  /**
   * `merged`: moved now. `already_merged`: an earlier attempt did it. `none`: there was no
   * guest to merge. `failed`: not moved, the guest and its cookie are kept; retry the merge.
   */
  status: z.enum(["merged", "already_merged", "none", "failed"]),
  channels: z.number().int().min(0),
  messages: z.number().int().min(0),
  stars: z.number().int().min(0),
});

export type MergeSummary = z.infer<typeof mergeSummarySchema>;

/** 200 body of sign-up and sign-in: the new member identity, a socket token and the merge. */
export const authResponseSchema = z.object({
  userId: z.string().regex(ID_PATTERN),
  kind: z.literal("member"),
  email: z.string(),
  socketToken: z.string().min(1),
  expiresAt: z.iso.datetime(),
  merge: mergeSummarySchema,
});

export type AuthResponse = z.infer<typeof authResponseSchema>;

/** 200 body of a merge retry. */
export const mergeResponseSchema = z.object({ merge: mergeSummarySchema });
export type MergeResponse = z.infer<typeof mergeResponseSchema>;

/** 200 body of sign-out: `signed_out`, or `pending` when a gateway node did not confirm in time. */
export const signOutResponseSchema = revocationResponseSchema;
export type SignOutResponse = RevocationResponse;
