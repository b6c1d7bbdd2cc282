// TEMPORARY SHIM (issue 10): re-exports the moved module; imports are rewritten at integration.
export * from "../common/view-frames.ts";
