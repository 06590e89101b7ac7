import { createHmac } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createSocketToken } from "../authority/create-socket-token";
import { SOCKET_TOKEN_TTL_IN_SECONDS, verifySocketToken } from "./socket-tokens";

const KEY = "k".repeat(40);
const CLAIMS = { userId: "usr_a", sessionId: "ses_a", kind: "guest" as const, generation: 2 };
const T0 = new Date("2030-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function signWith(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key = KEY,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", ...header })
    .sign(new TextEncoder().encode(key));
}

const base = {
  sub: "usr_a",
  sid: "ses_a",
  knd: "guest",
  gen: 2,
  iss: "foyer-authority",
  aud: "foyer-gateway",
  exp: Math.floor(T0.getTime() / 1000) + 60,
};

describe("socket tokens", () => {
  it("verifies what it minted, until it expires (or within the grace after)", async () => {
    const { token, expiresAt } = await createSocketToken(CLAIMS, KEY, T0);
    expect(await verifySocketToken(token, KEY, 0, at(1))).toEqual({ ...CLAIMS, expiresAt });
    const end = SOCKET_TOKEN_TTL_IN_SECONDS;
    await expect(verifySocketToken(token, KEY, 0, at(end))).rejects.toThrow(/expired/);
    await expect(verifySocketToken(token, KEY, 30, at(end + 10))).resolves.toMatchObject(CLAIMS);
  });

  it("refuses another key, and any change to the header, payload or signature", async () => {
    const { token } = await createSocketToken(CLAIMS, KEY, T0);
    const [h, p, s] = token.split(".") as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...base, sub: "usr_victim" })).toString(
      "base64url",
    );
    // Flip a bit that carries data (the last character's low two bits carry none).
    const flipped = `${s.slice(0, -2)}${s.at(-2) === "A" ? "B" : "A"}${s.at(-1)}`;
    // The same 32 bytes spelt with the last character's spare bits set: not canonical.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(s.at(-1) as string);
    const respelt = `${s.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(respelt, "base64url")).toEqual(Buffer.from(s, "base64url"));
    for (const bad of [
      `${h}.${forged}.${s}`,
      `${h}.${p}.${flipped}`,
      `${h}.${p}.${respelt}`,
      `${h}.${p}.${s}x`,
      `${h}.${p}`,
      `${token}.x`,
      "",
    ]) {
      await expect(verifySocketToken(bad, KEY, 0, at(1))).rejects.toThrow();
    }
    await expect(verifySocketToken(token, "o".repeat(40), 0, at(1))).rejects.toThrow(/signature/);
  });

  it("refuses alg none, unknown critical headers and foreign issuers or audiences", async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(base)).toString("base64url")}.`;
    await expect(verifySocketToken(none, KEY, 0, T0)).rejects.toThrow();
    const critHeader = Buffer.from('{"alg":"HS256","crit":["x"],"x":1}').toString("base64url");
    const critBody = Buffer.from(JSON.stringify(base)).toString("base64url");
    const critMac = createHmac("sha256", KEY)
      .update(`${critHeader}.${critBody}`)
      .digest("base64url");
    await expect(
      verifySocketToken(`${critHeader}.${critBody}.${critMac}`, KEY, 0, T0),
    ).rejects.toThrow(/header/);
    await expect(
      verifySocketToken(await signWith({}, { ...base, iss: "elsewhere" }), KEY, 0, T0),
    ).rejects.toThrow(/issuer/);
    await expect(
      verifySocketToken(await signWith({}, { ...base, aud: "other" }), KEY, 0, T0),
    ).rejects.toThrow(/audience/);
    await expect(
      verifySocketToken(await signWith({}, { ...base, nbf: base.exp }), KEY, 0, T0),
    ).rejects.toThrow(/not yet/);
    await expect(
      verifySocketToken(await signWith({}, { ...base, gen: 0 }), KEY, 0, T0),
    ).rejects.toThrow();
    await expect(verifySocketToken(await signWith({}, base), KEY, 0, T0)).resolves.toMatchObject(
      CLAIMS,
    );
  });
});
