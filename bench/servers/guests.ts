import {
  createGuestCookieValue,
  hashGuestSecret,
} from "../../lib/server/authority/cookies/guest-cookie";
import { createSocketToken } from "../../lib/server/authority/create-socket-token";
import { TEST_SECRETS } from "../../lib/server/authority/testing/authority-harness";
import type { Db } from "../../lib/server/db/types";
import { createSession } from "../../lib/server/store/sessions";
import { createGuestUser } from "../../lib/server/store/users";
import { createId } from "../../lib/shared/ids";
import { GUEST_SESSION_COOKIE } from "../../lib/shared/names";

/** A guest as the bench's clients use it (secrets stay in memory and on loopback). */
export interface BenchGuest {
  userId: string;
  sessionId: string;
  token: string;
  /** A Cookie header carrying the guest cookie. */
  cookie: string;
}

/**
 * Guests written straight to the store, as the authority would create them, with a socket
 * token each: fast set-up for figures that need thousands of sessions.
 */
export async function createGuestsDirectly(db: Db, count: number): Promise<BenchGuest[]> {
  const guests: BenchGuest[] = [];
  const one = async () => {
    const value = createGuestCookieValue();
    const secretHash = hashGuestSecret(value, TEST_SECRETS.FOYER_GUEST_SESSION_PEPPER);
    const session = await db.transaction(async (tx) => {
      const user = await createGuestUser(tx, createId("usr"));
      return createSession(tx, { id: createId("ses"), userId: user.id, kind: "guest", secretHash });
    });
    const { token } = await createSocketToken(
      {
        userId: session.userId,
        sessionId: session.id,
        kind: "guest",
        generation: session.generation,
      },
      TEST_SECRETS.FOYER_TOKEN_SIGNING_KEY,
    );
    guests.push({
      userId: session.userId,
      sessionId: session.id,
      token,
      cookie: `${GUEST_SESSION_COOKIE}=${value}`,
    });
  };
  for (let i = 0; i < count; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, count - i) }, one));
  }
  return guests;
}
