/**
 * The room suite's fixed sizes, seeds, rates and bounds, and the choices its command line makes
 * (bench/room.ts describes the flags): one place, so the server, the clients, the measured window
 * and the report agree.
 */
import { existsSync } from "node:fs";
import { SOUP_DENSITY, hasFlag } from "../harness.ts";

export const QUICK = hasFlag("--quick");
/** The full run's comparisons: plain clients, and the many-rooms load with storage on disk. */
export const COMPARE = !QUICK && !hasFlag("--no-compare");
export const LOADS = ["one", "many", "idle"] as const;
export type LoadName = (typeof LOADS)[number];
/** The loads `--loads=…` selects, all by default. */
export const SELECTED: ReadonlySet<LoadName> = selectedLoads(process.argv.slice(2));
/**
 * Where the server's storage lives. By default in RAM (/dev/shm): under wrangler dev every room
 * runs on one thread and SQLite flushes each commit to disk on that thread, and every tick is a
 * commit (re-arming the alarm), so on disk the loads measure the disk's flush latency (50 rooms
 * at 20 ticks/s are ~2,000 flushes a second) rather than the rooms; on Cloudflare storage writes
 * do not block the isolate. The full run repeats the many-rooms load on disk to show the
 * difference; `--storage=disk` runs every load on disk.
 */
export type Storage = "ram" | "disk";
export const STORAGE: Storage = process.argv.includes("--storage=disk") || !existsSync("/dev/shm") ? "disk" : "ram";
export const STORAGE_LABEL: Record<Storage, string> = { ram: "storage in RAM (/dev/shm)", disk: "storage on disk" };

function selectedLoads(argv: readonly string[]): Set<LoadName> {
  const arg = argv.find((a) => a.startsWith("--loads="));
  if (!arg) return new Set(LOADS);
  const names = arg.slice("--loads=".length).split(",");
  const unknown = names.filter((n) => !(LOADS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) {
    process.stderr.write(`room benchmark: unknown load "${unknown.join(",")}"; --loads takes a list of ${LOADS.join(", ")}\n`);
    process.exit(2);
  }
  return new Set(names as LoadName[]);
}

export const GRID_SIDE = 1024;
export const TICK_MS = 50;
export const DENSITY = SOUP_DENSITY;
export const VIEW_SIDE = 128;
export const VIEW_SEED = 4242;

export const CONFIG = QUICK
  ? { levels: [1, 10, 100], rooms: 8, clientsPerRoom: 4, warmupMs: 250, windowMs: 1200, idleMs: 600, watchdogMs: 50_000 }
  : { levels: [1, 10, 100, 500], rooms: 50, clientsPerRoom: 4, warmupMs: 1000, windowMs: 10_000, idleMs: 2000, watchdogMs: 8 * 60_000 };

/** Clients per room that run the engine on the STEP frames and check them (the first ones to
 *  join): four in the one-room loads, one per room with many rooms (still every room checked),
 *  since every engine runs in this one Node process and 200 of them would load the clients'
 *  event loop enough to delay arrivals — a bench artefact, not the server's. */
export const VERIFIERS = { one: 4, many: 1 } as const;

/** Sockets opened at once: opening all 500 together would measure a handshake storm, not joins. */
export const CONNECT_CONCURRENCY = 25;
export const CONNECT_TIMEOUT_MS = 15_000;
export const HTTP_TIMEOUT_MS = 15_000;
