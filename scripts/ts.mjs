// Runs a TypeScript entry point (the CLI, the benchmarks) on Node 20, which cannot strip
// types itself: esbuild (already brought by wrangler) bundles it to build/.run/ first.
// It also rebuilds the Wasm core when assembly/ is newer than build/, so a script never runs
// a stale kernel. Build chatter goes to stderr; stdout belongs to the script.
//
// Many runs may start at once (scripts and benchmarks run the CLI in parallel). So the bundle is
// named by its content and put in place by a rename, never rewritten where another run may be
// importing it (a run that imported a half-written bundle used to exit 0 having printed nothing),
// and a stale Wasm build is rebuilt by one run at a time, under a lock directory.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, statSync, existsSync, mkdirSync, rmSync, renameSync, writeFileSync } from "node:fs";
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
const wasmStale = () => {
  const sourcesChanged = Math.max(newestMtime(join(root, "assembly")), statSync(join(root, "asconfig.json")).mtimeMs);
  return wasmFiles.some((f) => !existsSync(f) || statSync(f).mtimeMs < sourcesChanged);
};
if (wasmStale()) {
  await withLock(join(root, "build", ".asbuild.lock"), () => {
    if (!wasmStale()) return; // another run rebuilt it while this one waited
    const asbuild = spawnSync("npm", ["run", "--silent", "asbuild"], { cwd: root, stdio: ["ignore", 2, 2] });
    if (asbuild.status !== 0) process.exit(asbuild.status ?? 1);
  });
}

const outDir = join(root, "build", ".run");
mkdirSync(outDir, { recursive: true });
const bundled = await build({
  entryPoints: [resolve(entry)],
  write: false,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  logLevel: "error",
});
const code = bundled.outputFiles[0].contents;
const stem = basename(entry).replace(/\.ts$/, "");
const outfile = join(outDir, `${stem}-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
if (!existsSync(outfile)) {
  const temporary = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, outfile); // atomic: a concurrent run sees no file or the whole file
}
pruneOldBundles(stem, outfile);
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);

/** Runs `work` while holding a lock directory (mkdir is atomic); a lock older than 5 minutes is
 *  taken to be left by a killed run. */
async function withLock(dir, work) {
  mkdirSync(dirname(dir), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(dir);
      break;
    } catch {
      if (waited > 300_000 || Date.now() - statSync(dir, { throwIfNoEntry: false })?.mtimeMs > 300_000) rmSync(dir, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    work();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes bundles of the same entry left by earlier sources, once they are an hour old (a run
 *  that started with one may still be importing it). */
function pruneOldBundles(stem, keep) {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(outDir)) {
    const path = join(outDir, name);
    if (path === keep || !name.startsWith(`${stem}-`) || !/\.mjs(\.\d+\.tmp)?$/.test(name)) continue;
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && stat.mtimeMs < hourAgo) rmSync(path, { force: true });
  }
}
