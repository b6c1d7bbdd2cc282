// `wrangler dev`, started one way for everything that runs the local server: `npm start` and
// `npm run dev` (scripts/dev.mjs), the end-to-end tests (test/e2e/server.ts) and the room
// benchmark (bench/room.ts). Plain JavaScript, because scripts/dev.mjs runs on Node 20 without a
// TypeScript loader; wrangler-dev.d.mts gives the TypeScript callers its types.
//
// Every start is `wrangler dev --ip 127.0.0.1 --port <port> --show-interactive-dev-session=false`
// plus the caller's arguments, with telemetry off. Two ways to run it:
//
//   runWranglerDev     in the foreground (scripts/dev.mjs): output on the terminal, in the
//                      caller's process group, signals passed on, exits with wrangler's code.
//   launchWranglerDev  in the background (tests, benchmarks): in a process group of its own, its
//                      output kept for failure messages, ready() once it answers, and stop() or
//                      kill9() of the whole group — wrangler starts workerd as its child, and a
//                      signal to the group reaches every process of the server at once.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest folder with a package.json above this file, which runs from
 *  scripts/ or bundled (by scripts/ts.mjs) into build/.run/, at different depths. */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from) {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

/** wrangler's environment: no telemetry, no error reports. */
export const WRANGLER_DEV_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  // Without this, every start tries (and fails, offline) to fetch the Request.cf object.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/** The server answers on loopback only; no interactive prompt (nobody may be at a terminal). */
export function wranglerDevArgs(port, args = []) {
  return ["dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", ...args];
}

function spawnWrangler(port, args, options) {
  return spawn(WRANGLER, wranglerDevArgs(port, args), { ...options, env: { ...process.env, ...WRANGLER_DEV_ENV, ...options.env } });
}

/** In the foreground, as `npm start` runs it: signals to this process go on to wrangler, which
 *  stops workerd, and this process exits with wrangler's code. All stay in the caller's process
 *  group, so a supervisor (or a test) that signals the group reaches every process at once, even
 *  with SIGKILL. */
export function runWranglerDev({ port, args = [], cwd = ROOT, env = {} }) {
  const child = spawnWrangler(port, args, { cwd, stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

const READY_TIMEOUT_MS = 90_000;
const READY_POLL_MS = 200;
const READY_REQUEST_TIMEOUT_MS = 5000;
/** After SIGKILL, how long the group may take to be gone. */
const KILL_WAIT_MS = 10_000;
const RELOAD_LINE = "Reloading local server";

/** Servers started and not yet stopped: killed when this process exits, whatever the path. */
const live = new Set();
let exitHookInstalled = false;

function killGroup(pgid, signal) {
  if (pgid === undefined || pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** Whether nothing accepts connections on `port` any more. */
function portClosed(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** In the background, in a process group of its own; see wrangler-dev.d.mts for the options. */
export function launchWranglerDev({ port, args = [], cwd = ROOT, env = {}, throughDevScript = false, logLimit = Infinity, stopGraceMs = 10_000 }) {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const server of live) killGroup(server.pgid, "SIGKILL");
    });
  }
  const options = { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env };
  const child = throughDevScript
    ? // As `npm start` runs it: a Node process in front of wrangler that passes signals on.
      spawn(process.execPath, [join(ROOT, "scripts", "dev.mjs"), ...args], { ...options, env: { ...process.env, ...env, PORT: String(port) } })
    : spawnWrangler(port, args, options);

  let output = "";
  let reloads = 0;
  let tail = ""; // the end of the previous chunk, so a reload line split across chunks counts once
  const keep = (chunk) => {
    const text = chunk.toString();
    reloads += (tail + text).split(RELOAD_LINE).length - 1;
    tail = text.slice(-(RELOAD_LINE.length - 1));
    output += text;
    if (output.length > logLimit) output = output.slice(-logLimit);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = false;
  child.once("exit", () => (exited = true));

  /** Waits until wrangler (or the dev script) has exited and the server's port is closed.
   *  (Checking the group with kill(-pid, 0) would also count zombies nobody reaps in some
   *  containers.) */
  const waitGone = async (timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited && (await portClosed(port))) return true;
      await sleep(50);
    }
    return false;
  };

  const url = `http://127.0.0.1:${port}`;
  let ready = null;
  let stopped = null;
  const server = {
    url,
    port,
    pgid: child.pid ?? 0,
    log: () => output,
    reloads: () => reloads,
    // wrangler offers no readiness signal besides its log, so: poll until the API answers.
    ready: () =>
      (ready ??= (async () => {
        const deadline = Date.now() + READY_TIMEOUT_MS;
        for (;;) {
          if (exited) throw new Error(`wrangler dev exited before it was ready on ${url}:\n${output}`);
          if (Date.now() > deadline) {
            killGroup(server.pgid, "SIGKILL");
            throw new Error(`wrangler dev not ready on ${url} within ${READY_TIMEOUT_MS} ms:\n${output}`);
          }
          try {
            const response = await fetch(`${url}/api/rooms`, { signal: AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS) });
            if (response.status === 200) return;
          } catch {
            // not listening yet
          }
          await sleep(READY_POLL_MS);
        }
      })()),
    stop: () =>
      (stopped ??= (async () => {
        killGroup(server.pgid, "SIGTERM");
        const gone = await waitGone(stopGraceMs);
        killGroup(server.pgid, "SIGKILL"); // whatever of the group ignored SIGTERM
        if (!gone) await waitGone(KILL_WAIT_MS);
        live.delete(server);
      })()),
    kill9: async () => {
      killGroup(server.pgid, "SIGKILL");
      const gone = await waitGone(KILL_WAIT_MS);
      live.delete(server);
      if (!gone) throw new Error("server still listening after SIGKILL of its process group");
    },
  };
  live.add(server);
  return server;
}
