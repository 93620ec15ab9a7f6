#include "core/thread_priority.h"

#include <algorithm>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace engine {

bool LowerThisThreadPriority(int step) {
  if (step <= 0) return false;
#if defined(__linux__)
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  int current = getpriority(PRIO_PROCESS, tid);  // -1 is also a valid nice value: errno tells them apart
  if (current == -1 && errno != 0) return false;
  return setpriority(PRIO_PROCESS, tid, std::min(19, current + step)) == 0;
#else
  return false;
#endif
}

}  // namespace engine
