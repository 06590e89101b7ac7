import type { Row } from "./figure";
import type { Spread } from "./stats";

function format(value: number, unit: Row["unit"]): string {
  if (!Number.isFinite(value)) return "n/a";
  switch (unit) {
    case "ms":
      return `${value.toFixed(2)} ms`;
    case "per_s":
      return `${Math.round(value).toLocaleString("en-US")}/s`;
    case "count":
      return String(Math.round(value));
    case "bytes":
      return `${Math.round(value).toLocaleString("en-US")} B`;
    default:
      return value.toFixed(3);
  }
}

export function toMeasured(s: Spread, unit: Row["unit"]): string {
  if (s.min === s.max) return format(s.median, unit);
  return `${format(s.median, unit)} (${format(s.min, unit)}–${format(s.max, unit)})`;
}

const percent = (share: number) =>
  Number.isFinite(share) ? `${(share * 100).toFixed(1)} %` : "n/a";

/** The results as a Markdown table (what docs/benchmarks.md carries). */
export function toMarkdownTable(rows: readonly Row[]): string {
  const lines = [
    "| id | figure | measured: median (min–max) | goal | result | rounds | steal (run / worst window) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const result = r.pass === null ? "info" : r.pass ? "pass" : "MISS";
    const figure = r.figure.startsWith("  ") ? `↳ ${r.figure.trim()}` : r.figure;
    lines.push(
      `| ${r.id} | ${figure} | ${toMeasured(r.measured, r.unit)} | ${r.goal} | ${result} | ${r.rounds} | ${percent(r.steal)} / ${percent(r.stealMaxWindow)} |`,
    );
  }
  return lines.join("\n");
}
