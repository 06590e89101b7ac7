import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

/**
 * The bench's copy of the app: the product's sources plus `bench/app/overlay` (the
 * baseline routes under /api/bench/), built with `next build` in `.bench/app`. The routes
 * exist only in this copy, so no product build can ever serve them. The build is reused
 * while the copied sources hash the same.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const COPY = path.join(ROOT, ".bench", "app");
const OVERLAY = path.join(import.meta.dirname, "overlay");
const SOURCES = [
  "app",
  "components",
  "lib",
  "public",
  "middleware.ts",
  "next.config.mjs",
  "tsconfig.json",
  "package.json",
];

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir).flatMap((name) => listFiles(path.join(dir, name)));
}

function hashSources(): string {
  const hash = createHash("sha256");
  const files = [...SOURCES.map((s) => path.join(ROOT, s)), OVERLAY].flatMap(listFiles).sort();
  for (const file of files)
    hash.update(path.relative(ROOT, file)).update("\0").update(readFileSync(file));
  return hash.digest("hex");
}

function runNextBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"],
      {
        cwd: COPY,
        env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`bench app: next build failed (${code})\n${output}`)),
    );
  });
}

/** The directory of a production build of the bench copy; builds it when the sources changed. */
export async function buildBenchApp(progress: (message: string) => void): Promise<string> {
  const hash = hashSources();
  const marker = path.join(COPY, ".source-hash");
  if (
    existsSync(path.join(COPY, ".next", "BUILD_ID")) &&
    existsSync(marker) &&
    readFileSync(marker, "utf8") === hash
  ) {
    progress("bench app: reusing the production build (sources unchanged)");
    return COPY;
  }
  progress("bench app: copying the app and building it (next build)…");
  rmSync(COPY, { recursive: true, force: true });
  mkdirSync(COPY, { recursive: true });
  for (const source of SOURCES) {
    const from = path.join(ROOT, source);
    if (existsSync(from)) cpSync(from, path.join(COPY, source), { recursive: true });
  }
  cpSync(OVERLAY, COPY, { recursive: true });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(COPY, "node_modules"), "dir");
  await runNextBuild();
  writeFileSync(marker, hash);
  progress("bench app: built");
  return COPY;
}
