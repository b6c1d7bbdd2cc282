/**
 * Starts the real server for end-to-end tests the way `npm start` runs it (scripts/dev.mjs →
 * wrangler dev → workerd), on free loopback ports and with its own storage directory, so a test
 * never touches a developer's .wrangler/state or port 8787. The server runs in its own process
 * group: stop() and kill9() signal the whole group, workerd included, and wait until it is gone.
 * The build (Wasm and web assets) is `npm test`'s job, before this runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { freePort } from "../../scripts/free-port.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const READY_TIMEOUT_MS = 90_000;

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


const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

/** Whether nothing accepts connections on `port` any more. */
function portClosed(port: number): Promise<boolean> {
  return new Promise((resolveClosed) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolveClosed(false);
    });
    socket.once("error", () => resolveClosed(true));
  });
}

/** Waits until the direct child has exited and the server's port is closed. (Checking the group
 *  with kill(-pid, 0) would also count zombies nobody reaps in some containers.) */
async function waitGone(child: { exited: boolean }, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited && (await portClosed(port))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** `vars` become Worker variables (`wrangler dev --var NAME:value`), e.g. ALLOWED_ORIGINS. */
export async function startServer(persistDir: string, vars: Record<string, string> = {}): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const child = spawn(
    process.execPath,
    [join(root, "scripts", "dev.mjs"), "--persist-to", persistDir, "--inspector-port", String(inspectorPort), "--inspector-ip", "127.0.0.1", ...varArgs],
    { cwd: root, env: { ...process.env, PORT: String(port) }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const state = { exited: false };
  child.on("exit", () => {
    state.exited = true;
    running.delete(child);
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (state.exited) throw new Error(`server exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      killGroup(child, "SIGKILL");
      throw new Error(`server not ready within ${READY_TIMEOUT_MS} ms:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/rooms`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    persistDir,
    log: () => output,
    reloaded: () => {
      const reloads = output.split("Reloading local server").length - 1;
      return reloads === 0 ? "" : `(the server reloaded ${reloads}× because source files changed during the test)`;
    },
    async stop() {
      killGroup(child, "SIGTERM");
      if (!(await waitGone(state, port, 10_000))) {
        killGroup(child, "SIGKILL");
        await waitGone(state, port, 10_000);
      }
    },
    async kill9() {
      killGroup(child, "SIGKILL");
      if (!(await waitGone(state, port, 10_000))) throw new Error("server still listening after SIGKILL of its process group");
    },
  };
}
