import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The real entry refuses to start on a bad agents file, naming the file and the field. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "foyer-main-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "lib/server/main.ts"], {
      env: { ...process.env, FOYER_MODE: "local", FOYER_DATA_DIR: dir, PORT: "0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`main did not exit within 30 s: ${stderr}`));
    }, 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("starting with an agents file", () => {
  it("a bad field stops the start with the file and the field named", async () => {
    const file = path.join(dir, "agents.json");
    await writeFile(
      file,
      JSON.stringify({
        agents: [
          {
            id: "a",
            name: "A",
            provider: { type: "openai-compatible", baseURL: "nope", model: "m" },
          },
        ],
      }),
    );
    const { code, stderr } = await runMain({ FOYER_AGENTS_FILE: file });
    expect(code).toBe(1);
    expect(stderr).toContain("Foyer cannot start:");
    expect(stderr).toContain("agents[0].provider.baseURL");
    expect(stderr).toContain("agents.json");
  });

  it("a key in the file is refused, and the key itself is not printed", async () => {
    const file = path.join(dir, "keyed.json");
    await writeFile(
      file,
      JSON.stringify({
        agents: [
          {
            id: "a",
            name: "A",
            provider: {
              type: "openai-compatible",
              baseURL: "http://127.0.0.1:1/v1",
              model: "m",
              apiKey: "sk-should-never-print",
            },
          },
        ],
      }),
    );
    const { code, stderr } = await runMain({ FOYER_AGENTS_FILE: file });
    expect(code).toBe(1);
    expect(stderr).toContain("apiKeyEnv");
    expect(stderr).not.toContain("sk-should-never-print");
  });
});
