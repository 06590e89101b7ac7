import { afterAll, describe, expect, it } from "vitest";
import { closePasswordHasher, hashPassword, needsRehash, verifyPassword } from "./passwords";

afterAll(() => closePasswordHasher());

describe("passwords (argon2id in the low-priority hasher process)", () => {
  it("hashes with today's parameters and verifies only the right password", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,(t=2,p=1|p=1,t=2)\$/);
    expect(needsRehash(hash)).toBe(false);
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "wrong")).toBe(false);
  }, 30_000);

  it("answers false for no account or a malformed hash, without throwing", async () => {
    expect(await verifyPassword(null, "anything")).toBe(false);
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  }, 30_000);

  it("starts a new hasher process after the last one stopped", async () => {
    await hashPassword("x");
    await closePasswordHasher();
    // A new process is started on the next call.
    expect(await verifyPassword(await hashPassword("again"), "again")).toBe(true);
  }, 30_000);
});
