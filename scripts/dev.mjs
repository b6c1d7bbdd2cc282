// Runs the Worker locally with `wrangler dev` (what `npm start` runs after building): on
// 127.0.0.1:8787 (or $PORT), telemetry off, no interactive prompt, storage persisted in
// .wrangler/state between restarts. Extra arguments go to wrangler (e.g. --persist-to <dir>).
//
// wrangler starts workerd as its child. Signals to this script are passed on to wrangler, which
// stops workerd; all three stay in the caller's process group, so a supervisor (or a test) that
// signals the group reaches every process of the server at once, even with SIGKILL.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.PORT ?? "8787";
const args = ["dev", "--ip", "127.0.0.1", "--port", port, "--show-interactive-dev-session=false", ...process.argv.slice(2)];

const child = spawn(join(root, "node_modules", ".bin", "wrangler"), args, {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    // Without this, every start tries (and fails, offline) to fetch the Request.cf object.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  },
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}

child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
