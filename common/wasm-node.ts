/**
 * Node-side loading of the two Wasm builds, for the CLI, the benchmarks and the tests. The Worker
 * imports the .wasm files as modules instead (workerd refuses to compile bytes at run time), and
 * the browser fetches and compiles them itself (web/). Node only: it reads files.
 */
import { readFile } from "node:fs/promises";
import { Engine, type EngineOptions, type Kernel } from "./engine.ts";

const FILES: Record<Kernel, string> = { simd: "life-simd.wasm", scalar: "life.wasm" };
const modules = new Map<Kernel, Promise<WebAssembly.Module>>();

/** build/, found from this file whether it runs from source (common/) or bundled (build/.run/). */
function buildDir(): URL {
  return import.meta.url.includes("/build/.run/") ? new URL("../", import.meta.url) : new URL("../build/", import.meta.url);
}

export function loadModule(kernel: Kernel): Promise<WebAssembly.Module> {
  let module = modules.get(kernel);
  if (!module) {
    module = readFile(new URL(FILES[kernel], buildDir())).then((bytes) => WebAssembly.compile(bytes));
    modules.set(kernel, module);
  }
  return module;
}

export async function createEngine(options: EngineOptions, kernel: Kernel = "simd"): Promise<Engine> {
  return Engine.create(await loadModule(kernel), options);
}
