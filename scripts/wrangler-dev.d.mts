// Types of wrangler-dev.mjs for its TypeScript callers (the tests and the benchmarks).
import type { ChildProcess } from "node:child_process";

/** The repository root. */
export declare const ROOT: string;
/** wrangler's environment: no telemetry, no error reports, no Request.cf fetch. */
export declare const WRANGLER_DEV_ENV: Readonly<Record<string, string>>;
/** `dev --ip 127.0.0.1 --port <port> --show-interactive-dev-session=false …args`. */
export declare function wranglerDevArgs(port: number | string, args?: readonly string[]): string[];

export interface WranglerDevOptions {
  /** The loopback port the server listens on. */
  port: number | string;
  /** More `wrangler dev` arguments: --config, --persist-to, --inspector-port, --var NAME:value, … */
  args?: readonly string[];
  /** Where wrangler runs (the repository root unless given). */
  cwd?: string;
  /** More environment variables, on top of this process's and WRANGLER_DEV_ENV. */
  env?: Readonly<Record<string, string>>;
}

/** In the foreground: output on the terminal, in the caller's process group, SIGINT, SIGTERM and
 *  SIGHUP passed on, and this process exits with wrangler's code. */
export declare function runWranglerDev(options: WranglerDevOptions): ChildProcess;

export interface LaunchOptions extends WranglerDevOptions {
  port: number;
  /** Start it as `npm start` does, through scripts/dev.mjs (`args` go on to wrangler), so the
   *  path people run is the path under test. */
  throughDevScript?: boolean;
  /** Keep only the last this many characters of the server's output (all of it unless given). */
  logLimit?: number;
  /** How long stop() waits after SIGTERM before it sends SIGKILL (10 s unless given). */
  stopGraceMs?: number;
}

export interface WranglerDev {
  readonly url: string;
  readonly port: number;
  /** The server's process group (wrangler, workerd and, through the dev script, that script). */
  readonly pgid: number;
  /** What the server printed (the last `logLimit` characters), for failure messages. */
  log(): string;
  /** Times wrangler rebuilt and reloaded the Worker (it watches the sources), which drops every socket. */
  reloads(): number;
  /** Resolves once GET /api/rooms answers 200; rejects when the server exits first, or after 90 s
   *  (having killed its group). */
  ready(): Promise<void>;
  /** SIGTERM to the process group, SIGKILL after `stopGraceMs`; resolves when wrangler has exited
   *  and the port is closed. Calling it again waits for the same stop. */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group: a crash, no chance to flush anything. Throws if the
   *  port is still open 10 s later. */
  kill9(): Promise<void>;
}

/** In the background, in a process group of its own, output kept rather than shown. Every server
 *  not yet stopped is killed (SIGKILL to its group) when this process exits. */
export declare function launchWranglerDev(options: LaunchOptions): WranglerDev;
