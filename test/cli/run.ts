/** Runs the life CLI as users run it: a real process (`node scripts/ts.mjs cli/life.ts …`). */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One run: its exit status, stdout and stderr. `cwd` is where npm would have been started
 *  (INIT_CWD: relative paths are taken from there). */
export function runLife(args: string[], options: { cwd: string; input?: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["scripts/ts.mjs", "cli/life.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, INIT_CWD: options.cwd, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
