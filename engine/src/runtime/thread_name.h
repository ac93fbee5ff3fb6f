// Names the engine's threads, so that `top -H`, `ps -L` and a profiler
// show which is the committer, the writer, the checkpointer or an I/O
// thread (Linux: at most 15 characters; elsewhere nothing).
#pragma once

#if defined(__linux__)
#include <pthread.h>
#endif

namespace yilian::detail {

inline void name_this_thread([[maybe_unused]] const char* name) {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name);
#endif
}

}  // namespace yilian::detail
