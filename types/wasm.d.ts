// Wrangler (and the Workers test pool) bundle an imported .wasm file as a compiled module:
// code generation from bytes is refused inside workerd, so the Worker never compiles at run time.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
