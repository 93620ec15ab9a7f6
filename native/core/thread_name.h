// Names the calling thread, so that `top -H`, `ps -L`, perf and /proc/<pid>/task/<tid>/comm tell the engine's
// threads apart from Node's (all of which are otherwise called "node").
#pragma once

#include <string>

namespace engine {

// Linux keeps at most 15 bytes of a thread's name; longer names are cut. A no-op where naming is not supported.
void NameThisThread(const std::string& name);

}  // namespace engine
