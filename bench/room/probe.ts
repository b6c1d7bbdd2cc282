/**
 * The process probe: what the load cost the machine over a measured window. For the server, the
 * CPU time of every thread of wrangler dev's workerd processes and what they wrote to disk, read
 * from Linux /proc (nothing off Linux); for this process, which runs every client, its event-loop
 * utilisation and delay and its CPU time. No memory is sampled.
 */
import { readFileSync, readdirSync } from "node:fs";
import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Server } from "./server.ts";

/**
 * Scheduler statistics of every thread of the server group's workerd processes, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU, nanoseconds runnable but waiting for
 * one); null off Linux. wrangler dev runs two workerd processes: a proxy on the public port that
 * relays every request and WebSocket frame (a local-development layer; the edge does this in
 * production), and the runtime of the Worker and its Durable Objects.
 */
type Role = "proxy" | "worker";
/** Per thread ("pid/tid"): on-CPU and runnable-waiting nanoseconds; per process ("pid"): bytes
 *  the process caused to be written to storage (/proc/<pid>/io write_bytes). */
type ThreadTimes = Map<string, { role: Role; runNs: number; waitNs: number; writeBytes?: number }>;

function workerdThreads(pgid: number, port: number): ThreadTimes | null {
  if (process.platform !== "linux") return null;
  const out: ThreadTimes = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp …: comm may contain spaces, so split after its closing paren.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      if (Number(fields[2]) !== pgid || !comm.startsWith("workerd")) continue;
      const role: Role = readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`entry=127.0.0.1:${port}\0`) ? "proxy" : "worker";
      const io = /write_bytes:\s*(\d+)/.exec(readFileSync(`/proc/${entry}/io`, "utf8"));
      out.set(entry, { role, runNs: 0, waitNs: 0, writeBytes: io ? Number(io[1]) : 0 });
      for (const tid of readdirSync(`/proc/${entry}/task`)) {
        const [run, wait] = readFileSync(`/proc/${entry}/task/${tid}/schedstat`, "utf8").split(" ").map(Number);
        out.set(`${entry}/${tid}`, { role, runNs: run, waitNs: wait });
      }
    } catch {
      continue; // exited meanwhile, or no schedstat on this kernel
    }
  }
  return out;
}

export interface ProcessLoad {
  /** Event-loop utilisation of this (client) process over the window, 0..1. */
  clientLoopUtilisation: number;
  clientLoopDelayP99Ms: number;
  /** The longest the clients' event loop was blocked: a pause here delays every client at once. */
  clientLoopDelayMaxMs: number;
  /** CPU time of this process over the window, as a share of one core. */
  clientCpuCores: number;
  /** CPU seconds, all threads, of the Worker's runtime (rooms, lobby) and of wrangler's proxy over
   *  the window; null when unknown (not Linux, or a process was replaced during the window). */
  workerCpuSeconds: number | null;
  proxyCpuSeconds: number | null;
  /** The runtime's busiest thread (the one running the Durable Objects' JavaScript): the shares of
   *  the window it ran and it waited, runnable, for a CPU. Together near 1 = that thread was saturated;
   *  a large wait share = the machine's other work took its CPU. */
  workerMainRunShare: number | null;
  workerMainWaitShare: number | null;
  /** Bytes per second the Worker's runtime wrote to storage (snapshots, alarms, SQLite journal). */
  workerWriteBytesPerSecond: number | null;
  /** A workerd process started or ended during the window. */
  serverRestarted: boolean;
}

export class LoadProbe {
  readonly #elu = performance.eventLoopUtilization();
  readonly #cpu = process.cpuUsage();
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  readonly #server0: ThreadTimes | null;
  readonly #t0 = performance.now();

  constructor(readonly server: Pick<Server, "pgid" | "port">) {
    this.#histogram.enable();
    this.#server0 = workerdThreads(server.pgid, server.port);
  }

  finish(): ProcessLoad {
    const windowNs = (performance.now() - this.#t0) * 1e6;
    const elu = performance.eventLoopUtilization(this.#elu);
    const cpu = process.cpuUsage(this.#cpu);
    this.#histogram.disable();
    const before = this.#server0;
    const after = workerdThreads(this.server.pgid, this.server.port);
    const pids = (t: ThreadTimes | null) => new Set([...(t?.keys() ?? [])].filter((k) => !k.includes("/")));
    const pidsBefore = pids(before);
    const pidsAfter = pids(after);
    const samePids = before !== null && after !== null && pidsBefore.size > 0 && pidsBefore.size === pidsAfter.size && [...pidsBefore].every((p) => pidsAfter.has(p));
    let worker = 0;
    let proxy = 0;
    let main = { runNs: 0, waitNs: 0 };
    let written = 0;
    if (samePids && before && after) {
      for (const [key, a] of after) {
        const b = before.get(key) ?? { role: a.role, runNs: 0, waitNs: 0 }; // a thread started in the window
        if (!key.includes("/")) {
          if (a.role === "worker") written += (a.writeBytes ?? 0) - (b.writeBytes ?? 0);
          continue;
        }
        const run = a.runNs - b.runNs;
        const wait = a.waitNs - b.waitNs;
        if (a.role === "proxy") proxy += run;
        else {
          worker += run;
          if (run > main.runNs) main = { runNs: run, waitNs: wait };
        }
      }
    }
    return {
      clientLoopUtilisation: elu.utilization,
      clientLoopDelayP99Ms: this.#histogram.percentile(99) / 1e6,
      clientLoopDelayMaxMs: this.#histogram.max / 1e6,
      clientCpuCores: (cpu.user + cpu.system) / 1e3 / (windowNs / 1e6),
      workerCpuSeconds: samePids ? worker / 1e9 : null,
      proxyCpuSeconds: samePids ? proxy / 1e9 : null,
      workerMainRunShare: samePids ? main.runNs / windowNs : null,
      workerMainWaitShare: samePids ? main.waitNs / windowNs : null,
      workerWriteBytesPerSecond: samePids ? written / (windowNs / 1e9) : null,
      serverRestarted: before !== null && after !== null && !samePids,
    };
  }
}
