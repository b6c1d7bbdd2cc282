// The pool's `env` (from "cloudflare:test") carries the bindings of wrangler.toml.
import type { Env as WorkerEnv } from "../../worker/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
