import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };
// `server-only` throws outside a React Server bundle; tests import the glue directly.
const serverOnly = {
  "server-only": path.resolve(import.meta.dirname, "lib/server/testing/server-only-in-tests.ts"),
};
// tsconfig.json keeps JSX as written for Next.js; the tests compile it themselves.
const jsx = { jsx: { runtime: "automatic" as const } };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: { ...alias, ...serverOnly } },
        oxc: jsx,
        test: {
          name: "unit",
          include: ["{app,components,lib,middleware}/**/*.test.{ts,tsx}", "*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          environment: "node",
        },
      },
      {
        resolve: { alias: { ...alias, ...serverOnly } },
        test: {
          name: "integration",
          include: ["{app,lib}/**/*.int.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
