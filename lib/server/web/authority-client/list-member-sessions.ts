import "server-only";
import { cookies, headers } from "next/headers";
import { listSessionsResponseSchema, type SessionInfo } from "../../../shared/contracts/sessions";
import { REQUEST_ID_HEADER } from "../../../shared/names";
import { AUTHORITY_ROUTES } from "../../common/authority-contract";
import { readIdentityCookies } from "../proxy/cookie-allow-list";
import { toAuthorityContextHeaders, toRequestId } from "../proxy/request-context";
import { callAuthority } from "./authority-client";

/**
 * The signed-in member's live sessions, for the Sessions page (server components only).
 * The member cookie's value goes to the authority in the body, which unseals and checks it;
 * null when the cookie names no live member session or the authority cannot answer.
 */
export async function listMemberSessions(): Promise<SessionInfo[] | null> {
  const requestHeaders = await headers();
  const memberSession = readIdentityCookies((await cookies()).toString()).memberSession;
  if (!memberSession) return null;
  const requestId = toRequestId(requestHeaders.get(REQUEST_ID_HEADER));
  try {
    const response = await callAuthority({
      path: AUTHORITY_ROUTES.listSessions,
      body: { memberSession },
      headers: toAuthorityContextHeaders(requestHeaders, requestId, { forwardGuestCookie: false }),
    });
    if (response.status !== 200) return null;
    return listSessionsResponseSchema.safeParse(response.body).data?.sessions ?? null;
  } catch {
    return null;
  }
}
