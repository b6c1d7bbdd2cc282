/**
 * Browser-side loading of the Wasm core for lockstep prediction (common/lockstep/); Node reads
 * the same builds from files (common/wasm-node.ts).
 */

/**
 * The engine's module, from the same origin: the SIMD build where this browser validates it,
 * else the scalar one. Null when neither loads; the page then does not ask for prediction and
 * the room sends it DELTA frames, as to any simple client.
 */
export async function loadLifeModule(): Promise<WebAssembly.Module | null> {
  const bytes = async (path: string): Promise<ArrayBuffer> => {
    const response = await fetch(path);
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.arrayBuffer();
  };
  try {
    const simd = await bytes("/life-simd.wasm");
    return await WebAssembly.compile(WebAssembly.validate(simd) ? simd : await bytes("/life.wasm"));
  } catch {
    return null;
  }
}
