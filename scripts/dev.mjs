// Runs the Worker locally with `wrangler dev` (what `npm start` runs after building): on
// 127.0.0.1:8787 (or $PORT), telemetry off, no interactive prompt, storage persisted in
// .wrangler/state between restarts. Extra arguments go to wrangler (e.g. --persist-to <dir>).
//
// wrangler starts workerd as its child. Signals to this script are passed on to wrangler, which
// stops workerd; all three stay in the caller's process group, so a supervisor (or a test) that
// signals the group reaches every process of the server at once, even with SIGKILL
// (scripts/wrangler-dev.mjs, runWranglerDev).
import { runWranglerDev } from "./wrangler-dev.mjs";

runWranglerDev({ port: process.env.PORT ?? "8787", args: process.argv.slice(2) });
