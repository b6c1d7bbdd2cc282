/**
 * Starts the real server for the browser tests: builds the web client, then `wrangler dev` on a
 * free loopback port with its own temporary storage, in its own process group so stopping it
 * also stops workerd. Readiness is "GET /api/rooms answers", polled because wrangler offers no
 * readiness signal besides its log.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { freePort } from "../../scripts/free-port.ts";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const READY_TIMEOUT_MS = 90_000;

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

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  log: () => string;
}

function spawnWrangler(port: number, inspectorPort: number, storage: string): Running {
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", storage, "--show-interactive-dev-session=false"],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
    },
  );
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return { child, exited, log: () => log };
}

/** SIGTERM to the whole process group (wrangler and workerd), SIGKILL if it lingers. */
async function stopProcess({ child, exited }: Running): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitReady(running: Running, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && running.child.exitCode === null) {
    try {
      const response = await fetch(`${url}/api/rooms`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopProcess(running);
  throw new Error(`wrangler dev did not become ready on ${url}:\n${running.log().slice(-4000)}`);
}

export async function startServer(): Promise<TestServer> {
  if (!existsSync(join(ROOT, "build/life.wasm")) || !existsSync(join(ROOT, "build/life-simd.wasm"))) run("npm", ["run", "--silent", "asbuild"]);
  run("node", ["scripts/build-web.mjs"]);
  const port = await freePort();
  const inspectorPort = await freePort();
  const storage = mkdtempSync(join(tmpdir(), "edgelife-web-test-"));
  const url = `http://127.0.0.1:${port}`;
  let running = spawnWrangler(port, inspectorPort, storage);
  try {
    await waitReady(running, url);
  } catch (error) {
    rmSync(storage, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    restart: async () => {
      await stopProcess(running);
      running = spawnWrangler(port, inspectorPort, storage);
      await waitReady(running, url);
    },
    stop: async () => {
      await stopProcess(running);
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
