#include "core/thread_name.h"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace engine {

void NameThisThread(const std::string& name) {
#if defined(__linux__)
  // pthread_setname_np fails with ERANGE beyond 15 bytes instead of truncating: cut it here.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#else
  (void)name;
#endif
}

}  // namespace engine
