// Builds the web client into web/dist/, the directory wrangler serves as static assets:
// esbuild bundles web/main.ts (and the common/ contract it imports) into one minified
// app.js with a source map; index.html and the stylesheet are copied beside it, and so are the
// two Wasm builds of the engine, which the page runs for lockstep prediction (common/lockstep/).
// esbuild is enough here: the client is plain TypeScript and DOM, no framework to compile.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "web", "dist");

const STATIC_FILES = ["index.html", "styles.css", "favicon.svg"];
const WASM_FILES = ["life-simd.wasm", "life.wasm"];
const OUTPUTS = new Set([...STATIC_FILES, ...WASM_FILES, "app.js", "app.js.map"]);

// The directory is kept (not deleted and re-made): a running `wrangler dev` watches it, and
// would lose track of a directory that disappears. Files from older builds are removed.
mkdirSync(outDir, { recursive: true });
for (const name of readdirSync(outDir)) {
  if (!OUTPUTS.has(name)) rmSync(join(outDir, name), { recursive: true, force: true });
}
for (const file of STATIC_FILES) copyFileSync(join(root, "web", file), join(outDir, file));
// `npm run build` runs asbuild first; a missing build is an error here, not a page without an engine.
for (const file of WASM_FILES) copyFileSync(join(root, "build", file), join(outDir, file));

const options = {
  entryPoints: [join(root, "web", "main.ts")],
  outfile: join(outDir, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  // Browsers from 2022 on: every one has CompressionStream, pointer events and ES2022.
  target: ["es2022", "chrome110", "firefox113", "safari16.4"],
  minify: true,
  sourcemap: true,
  logLevel: "warning",
};

await build(options);
