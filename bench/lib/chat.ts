/** Chat-sized payloads (100–300 bytes on the wire) with unique client message ids. */
const BODY =
  "Hello! I would like to know how Foyer keeps my conversation when I sign in later, " +
  "and whether my other tabs follow along.";

let sequence = 0;

export function toSendPayload(userId: string, agentId = "concierge") {
  sequence += 1;
  return {
    channel: `direct-${userId}-${agentId}`,
    clientMessageId: `bench_${process.pid}_${sequence}`,
    body: BODY,
  };
}

/** The same bytes a `message:send` frame carries, for the raw echo baseline. */
export function toEchoFrame(userId: string): string {
  return `42${sequence}${JSON.stringify(["message:send", toSendPayload(userId)])}`;
}
