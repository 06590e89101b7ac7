/**
 * `node --import tsx bench/profile-top.ts <file.cpuprofile> [n]`: the hottest frames of a V8
 * CPU profile (e.g. from `BENCH_CPU_PROFILE=dir npm run bench -- --only B5`), by self time,
 * and the same grouped by package or file, so a figure's cost has a name. Further arguments
 * are patterns (function name or file): the share of samples with a matching frame on
 * the stack (inclusive time), e.g. `resolveMiddlewareRequestHeaders handleIdentityResolve`.
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, count = "25", ...patterns] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-top.ts <file.cpuprofile> [n] [stack patterns…]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function group(key: (n: Node) => string): [string, number][] {
  const sums = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node) sums.set(key(node), (sums.get(key(node)) ?? 0) + us);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, Number(count));
}

const where = (url: string) =>
  url
    .replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1")
    .replace(/^.*\/(bench-wt|app)\//, "") || "(native)";
const show = (rows: [string, number][]) => {
  for (const [name, us] of rows)
    console.info(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
};
console.info(`total ${(total / 1e6).toFixed(2)} s sampled`);
console.info("\nby frame (self time):");
show(
  group(
    (n) =>
      `${n.callFrame.functionName || "(anonymous)"}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber}`,
  ),
);
console.info("\nby package or file:");
show(group((n) => where(n.callFrame.url)));

if (patterns.length > 0) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const busy =
    total -
    (selfUs.get(profile.nodes.find((n) => n.callFrame.functionName === "(idle)")?.id ?? -1) ?? 0);
  console.info("\ninclusive (share of busy time):");
  for (const pattern of patterns) {
    let us = 0;
    for (const [id, self] of selfUs) {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = byId.get(at)?.callFrame;
        if (f && (f.functionName === pattern || f.url.includes(pattern))) {
          us += self;
          break;
        }
      }
    }
    console.info(`${((us / busy) * 100).toFixed(1).padStart(5)} %  ${pattern}`);
  }
}
