/**
 * Starts the real server for end-to-end tests the way `npm start` runs it (scripts/dev.mjs →
 * wrangler dev → workerd), on free loopback ports and with its own storage directory, so a test
 * never touches a developer's .wrangler/state or port 8787. The server runs in its own process
 * group: stop() and kill9() signal the whole group, workerd included, and wait until it is gone
 * (scripts/wrangler-dev.mjs starts and stops it, as it does for `npm start` and the benchmarks).
 * The build (Wasm and web assets) is `npm test`'s job, before this runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { launchWranglerDev } from "../../scripts/wrangler-dev.mjs";

export interface DevServer {
  readonly url: string;
  readonly persistDir: string;
  /** What the server printed, for failure messages. */
  log(): string;
  /** "" — or, when wrangler reloaded the Worker because source files changed while the server
   *  ran (which drops every socket), a note saying so, for failure messages. */
  reloaded(): string;
  /** SIGTERM to the process group; SIGKILL if it has not exited after a few seconds. */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group: a crash, no chance to flush anything. */
  kill9(): Promise<void>;
}

export function tempPersistDir(): string {
  return mkdtempSync(join(tmpdir(), "edgelife-e2e-"));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The dev server of one test file, on storage of its own: started before the file's tests,
 * stopped (and its storage removed) after them. `restart()` starts a new server on the same
 * storage, for tests that kill it.
 */
export function useDevServer(vars: Record<string, string> = {}): { readonly server: DevServer; restart(): Promise<DevServer> } {
  const persistDir = tempPersistDir();
  let current: DevServer | undefined;
  beforeAll(async () => {
    current = await startServer(persistDir, vars);
  }, 120_000);
  afterAll(async () => {
    await current?.stop();
    removeDir(persistDir);
  }, 30_000);
  return {
    get server(): DevServer {
      if (!current) throw new Error("the dev server has not started");
      return current;
    },
    async restart(): Promise<DevServer> {
      current = await startServer(persistDir, vars);
      return current;
    },
  };
}

/** `vars` become Worker variables (`wrangler dev --var NAME:value`), e.g. ALLOWED_ORIGINS. */
export async function startServer(persistDir: string, vars: Record<string, string> = {}): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const server = launchWranglerDev({
    port,
    throughDevScript: true,
    args: ["--persist-to", persistDir, "--inspector-port", String(inspectorPort), "--inspector-ip", "127.0.0.1", ...varArgs],
  });
  await server.ready();
  return {
    url: server.url,
    persistDir,
    log: server.log,
    reloaded: () => {
      const reloads = server.reloads();
      return reloads === 0 ? "" : `(the server reloaded ${reloads}× because source files changed during the test)`;
    },
    stop: server.stop,
    kill9: server.kill9,
  };
}
