import { createHash } from "node:crypto";
import { type SerializeOptions, serialize } from "cookie";
import { sealData, unsealData } from "iron-session";
import { z } from "zod";
import { ID_PATTERN } from "../../../shared/ids";
import { MEMBER_SESSION_COOKIE } from "../../../shared/names";

/**
 * The member session cookie (`__Host-foyer_session`): its data, lifetimes and options, in
 * one place (the iron-session way). The cookie is an iron-session seal of the session row's
 * id and its user; the row decides whether it is live (revoked, absolute expiry, idle), so
 * a signed-out cookie replayed later names a revoked row and grants nothing. Sealed by the
 * session authority on sign-in; unsealed by the authority and by the web process.
 */

/** What the seal carries. `v` versions the shape. */
export interface MemberSessionData {
  v: 1;
  /** The session row (`ses_…`); a new one on every sign-in, so no fixation. */
  sid: string;
  uid: string;
}

/** A member session ends this long after sign-in, however active. */
export const MEMBER_SESSION_ABSOLUTE_TTL_IN_SECONDS = 30 * 24 * 60 * 60;
/** …and this long after it was last used. */
export const MEMBER_SESSION_IDLE_TTL_IN_SECONDS = 7 * 24 * 60 * 60;

/** `__Host-` needs Secure, Path=/ and no Domain; the same attributes set and clear it. */
const COOKIE_ATTRIBUTES: SerializeOptions = {
  path: "/",
  httpOnly: true,
  secure: true,
  sameSite: "lax",
};

const dataSchema = z.object({
  v: z.literal(1),
  sid: z.string().regex(ID_PATTERN),
  uid: z.string().regex(ID_PATTERN),
});

export async function sealMemberSession(
  data: MemberSessionData,
  password: string,
): Promise<string> {
  return sealData(data, { password, ttl: MEMBER_SESSION_ABSOLUTE_TTL_IN_SECONDS });
}

/** Unsealed values by a hash of the seal: an unseal costs ~1 ms, a hit microseconds. */
const cache = new Map<string, MemberSessionData | null>();
const CACHE_MAX_ENTRIES = 10_000;

/**
 * The data in a member cookie value, or null when it is tampered, truncated, foreign,
 * expired or not ours. Never throws. Results are cached by a hash of the value (a seal's
 * own expiry is far beyond any process's cache lifetime that matters: the row decides).
 */
export async function unsealMemberSession(
  value: string,
  password: string,
): Promise<MemberSessionData | null> {
  const key = createHash("sha256").update(password).update("\0").update(value).digest("base64url");
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let data: MemberSessionData | null = null;
  try {
    const unsealed = await unsealData(value, {
      password,
      ttl: MEMBER_SESSION_ABSOLUTE_TTL_IN_SECONDS,
    });
    const parsed = dataSchema.safeParse(unsealed);
    data = parsed.success ? parsed.data : null;
  } catch {
    data = null;
  }
  if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
  cache.set(key, data);
  return data;
}

/** `Set-Cookie` that stores a sealed member session. */
export function toMemberSessionSetCookie(seal: string): string {
  return serialize(MEMBER_SESSION_COOKIE, seal, {
    ...COOKIE_ATTRIBUTES,
    maxAge: MEMBER_SESSION_ABSOLUTE_TTL_IN_SECONDS,
  });
}

/** `Set-Cookie` that clears the member cookie, with the attributes it was set with. */
export function toClearedMemberSessionSetCookie(): string {
  return serialize(MEMBER_SESSION_COOKIE, "", { ...COOKIE_ATTRIBUTES, maxAge: 0 });
}
