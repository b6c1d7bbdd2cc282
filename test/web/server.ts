/**
 * Starts the real server for the browser tests: builds the web client, then `wrangler dev` on a
 * free loopback port with its own temporary storage, through the one launcher every test, the
 * benchmarks and `npm start` use (scripts/wrangler-dev.mjs: its own process group, so stopping it
 * also stops workerd; ready once GET /api/rooms answers).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/free-port.ts";
import { ROOT, type WranglerDev, launchWranglerDev } from "../../scripts/wrangler-dev.mjs";

export interface TestServer {
  url: string;
  /** Stops the server and starts it again on the same port with the same storage. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed with status ${result.status}`);
}

export async function startServer(): Promise<TestServer> {
  if (!existsSync(join(ROOT, "build/life.wasm")) || !existsSync(join(ROOT, "build/life-simd.wasm"))) run("npm", ["run", "--silent", "asbuild"]);
  run("node", ["scripts/build-web.mjs"]);
  const port = await freePort();
  const inspectorPort = await freePort();
  const storage = mkdtempSync(join(tmpdir(), "edgelife-web-test-"));
  const launch = (): WranglerDev =>
    launchWranglerDev({ port, args: ["--inspector-port", String(inspectorPort), "--inspector-ip", "127.0.0.1", "--persist-to", storage], env: { NO_COLOR: "1" }, stopGraceMs: 5000 });
  let running = launch();
  try {
    await running.ready();
  } catch (error) {
    rmSync(storage, { recursive: true, force: true });
    throw error;
  }
  return {
    url: running.url,
    restart: async () => {
      await running.stop();
      running = launch();
      await running.ready();
    },
    stop: async () => {
      await running.stop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
