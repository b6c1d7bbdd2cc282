import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Two projects: "node" runs the engine, parsers, CLI and end-to-end tests in Node; "workers"
// runs the Worker and its Durable Objects inside the real workerd runtime.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/assembly/**/*.test.ts", "test/common/**/*.test.ts", "test/cli/**/*.test.ts", "test/bench/**/*.test.ts", "test/e2e/**/*.test.ts", "test/web/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // ROOM_CONNECTION_CAP lowers the per-room socket cap so the cap's test opens 16 sockets, not 512.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { ROOM_CONNECTION_CAP: "16" } } })],
        test: { name: "workers", include: ["test/worker/**/*.test.ts"], testTimeout: 60_000 },
      },
    ],
  },
});
