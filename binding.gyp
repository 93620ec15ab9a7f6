# node-gyp build of the same addon as CMakeLists.txt (the primary build, run by `npm ci`): same sources
# (native/sources.txt), same defines and flags, same ONNX Runtime library copied beside the .node.
# CI builds it once (see .ci/run). Run `node scripts/native-deps.js` first for the headers in deps/.
{
  "variables": {
    "deps_dir": "<!(node scripts/native-paths.js deps-dir)",
    "generated_dir": "<!(node scripts/generate-unicode-tables.js)",
    "ort_include": "<!(node scripts/native-paths.js ort-include)",
    "ort_library": "<!(node scripts/native-paths.js ort-library)"
  },
  "targets": [
    {
      "target_name": "classifier_engine",
      "sources": ["<!@(node scripts/native-paths.js sources)"],
      "include_dirs": [
        "native",
        "<(generated_dir)",
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(deps_dir)/include",
        "<(ort_include)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "UTF8PROC_STATIC"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["<(ort_library)", "<(deps_dir)/lib/libutf8proc.a", "<(deps_dir)/lib/libonig.so.5", "-Wl,--enable-new-dtags", "-Wl,-rpath,'$$ORIGIN'"],
      "copies": [{ "destination": "<(PRODUCT_DIR)", "files": ["<(ort_library)", "<(deps_dir)/lib/libonig.so.5", "<!@(node scripts/native-paths.js ort-providers)"] }]
    }
  ]
}
