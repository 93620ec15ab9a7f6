// Lowers the calling thread's scheduling priority, so that the engine's compute threads yield a shared core to
// the JS thread (the event loop) whenever both want it.
#pragma once

namespace engine {

// Raises the calling thread's nice value by `step` (capped at 19). Linux keeps nice values per thread:
// setpriority(PRIO_PROCESS, tid) changes this thread alone. Returns false when nothing changed (step 0, a platform
// without per-thread nice values, or a sandbox that refuses it); the thread then keeps the process's priority.
bool LowerThisThreadPriority(int step);

}  // namespace engine
