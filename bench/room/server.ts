/**
 * The server under load: `wrangler dev` on a free loopback port, with its own temporary storage
 * (in RAM or on disk, see STORAGE), running a copy of the Worker's sources taken at its start,
 * started and stopped by scripts/wrangler-dev.mjs like every local server; and the HTTP calls the
 * loads make to it (create a room, control it).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ControlAction, CreatedRoom } from "../../common/protocol/index.ts";
import { freePort } from "../../scripts/free-port.ts";
import { launchWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { ROOT } from "../harness.ts";
import { GRID_SIDE, HTTP_TIMEOUT_MS, type Storage, TICK_MS } from "./settings.ts";

export interface Server {
  url: string;
  port: number;
  pgid: number;
  storage: Storage;
  /** Times wrangler dev rebuilt and reloaded the Worker (it watches the sources) since start. */
  reloads(): number;
  stop(): Promise<void>;
}

/** The server that is running, if any: what a Ctrl-C or an overrun stops (see bench/room.ts). */
let activeServer: Server | null = null;

export async function stopActiveServer(): Promise<void> {
  await activeServer?.stop();
}

/** What the Worker needs to build and run, copied from the checkout (see startServer). */
const APP_FILES = ["wrangler.toml", "tsconfig.base.json", "worker", "common", "types", "build/life.wasm", "build/life-simd.wasm", "web/dist"];

export async function startServer(storage: Storage): Promise<Server> {
  // The Worker serves the web client's build as its static assets; wrangler wants the folder.
  if (!existsSync(join(ROOT, "web", "dist", "index.html"))) {
    const built = spawnSync("node", ["scripts/build-web.mjs"], { cwd: ROOT, stdio: ["ignore", 2, 2] });
    if (built.status !== 0) throw new Error("building the web client failed");
  }
  const port = await freePort();
  const inspectorPort = await freePort();
  const scratch = mkdtempSync(join(storage === "ram" ? "/dev/shm" : tmpdir(), "edgelife-bench-"));
  const state = join(scratch, "state");
  // wrangler dev watches the Worker's sources and reloads it when one changes, which drops every
  // socket; the bench runs a copy of them taken now, so an edit in the checkout during a run
  // cannot reset a load halfway (same code, same wrangler.toml, same wrangler).
  const app = join(scratch, "app");
  for (const path of APP_FILES) cpSync(join(ROOT, path), join(app, path), { recursive: true });
  const dev = launchWranglerDev({
    port,
    cwd: app,
    args: ["--config", join(app, "wrangler.toml"), "--inspector-port", String(inspectorPort), "--persist-to", state],
    env: { NO_COLOR: "1" },
    // wrangler logs every request, thousands in a full run; the end is what explains a failure.
    logLimit: 20_000,
    stopGraceMs: 5000,
  });
  const server: Server = {
    url: dev.url,
    port,
    pgid: dev.pgid,
    storage,
    reloads: dev.reloads,
    stop: async () => {
      await dev.stop();
      rmSync(scratch, { recursive: true, force: true });
      if (activeServer === server) activeServer = null;
    },
  };
  activeServer = server;
  try {
    await dev.ready();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function api<T>(server: Server, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/**
 * Creates a paused room. One client address may create ROOM_CREATION_BURST rooms at once and then
 * a few a minute (worker/limits.ts); the many-rooms load creates its rooms as if from distinct
 * addresses (`creator`), through the CF-Connecting-IP header, which wrangler dev passes through
 * (the Cloudflare edge sets it itself, so this only works against a local server).
 */
export async function createRoom(server: Server, name: string, creator: number): Promise<CreatedRoom> {
  return api<CreatedRoom>(
    server,
    "POST",
    "/api/rooms",
    { name, width: GRID_SIDE, height: GRID_SIDE, rule: "B3/S23", topology: "torus", tickMs: TICK_MS, generationsPerTick: 1, running: false, private: true },
    { "CF-Connecting-IP": `127.0.${Math.floor(creator / 250)}.${(creator % 250) + 1}` },
  );
}

export async function control(server: Server, room: CreatedRoom, action: ControlAction): Promise<void> {
  await api(server, "POST", `/api/rooms/${room.id}/control`, action, { Authorization: `Bearer ${room.ownerToken}` });
}
