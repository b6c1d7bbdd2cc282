// Runs a TypeScript entry point (the CLI, the benchmarks) on Node 20, which cannot strip
// types itself: esbuild (already brought by wrangler) bundles it to build/.run/ first.
// It also rebuilds the Wasm core when assembly/ is newer than build/, so a script never runs
// a stale kernel. Build chatter goes to stderr; stdout belongs to the script.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, existsSync, mkdirSync } from "node:fs";
import { join, basename, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/ts.mjs <entry.ts> [args…]");
  process.exit(2);
}

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

const wasmFiles = ["build/life.wasm", "build/life-simd.wasm"].map((f) => join(root, f));
const sourcesChanged = Math.max(newestMtime(join(root, "assembly")), statSync(join(root, "asconfig.json")).mtimeMs);
if (wasmFiles.some((f) => !existsSync(f) || statSync(f).mtimeMs < sourcesChanged)) {
  const asbuild = spawnSync("npm", ["run", "--silent", "asbuild"], { cwd: root, stdio: ["ignore", 2, 2] });
  if (asbuild.status !== 0) process.exit(asbuild.status ?? 1);
}

const outDir = join(root, "build", ".run");
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, basename(entry).replace(/\.ts$/, ".mjs"));
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  logLevel: "error",
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
