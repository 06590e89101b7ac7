/**
 * A Socket.IO connection of a tab's own user, opened from the test process rather than the
 * page: to send what the page would not (a message its composer refuses), and see the
 * server's own answer.
 */
import type { Page } from "@playwright/test";
import { io } from "socket.io-client";
import { GUEST_SESSION_PATH } from "../../lib/client/identity/guest-session-client";
import { type FoyerSocket, SOCKET_PATH } from "../../lib/client/realtime/socket";

const CONNECT_TIMEOUT_IN_MS = 10_000;

/** A socket token of the page's current identity, read the way the page reads it. */
async function readSocketToken(page: Page): Promise<string> {
  return page.evaluate(async (guestSessionPath) => {
    const res = await fetch(guestSessionPath, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "lookup_only" }),
    });
    if (!res.ok) throw new Error(`${guestSessionPath} answered ${res.status}`);
    return ((await res.json()) as { socketToken: string }).socketToken;
  }, GUEST_SESSION_PATH);
}

/**
 * A connected socket of the identity `page` holds, to the server at `baseURL` (with its
 * origin, as a browser would send it). The caller disconnects it.
 */
export async function connectAsPage(page: Page, baseURL: string): Promise<FoyerSocket> {
  const token = await readSocketToken(page);
  const socket: FoyerSocket = io(baseURL, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    auth: { token },
    extraHeaders: { origin: new URL(baseURL).origin },
    reconnection: false,
    timeout: CONNECT_TIMEOUT_IN_MS,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => {
      socket.disconnect();
      reject(new Error(`own-socket: the handshake was refused: ${error.message}`));
    });
  });
  return socket;
}
