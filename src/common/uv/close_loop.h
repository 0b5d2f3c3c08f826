// Closing a loop at process end: close every handle still open, let the close callbacks run,
// then uv_loop_close. Handles owned by objects must already be closed by their owners.
#pragma once

#include <uv.h>

namespace llmproxy::common {

inline void closeLoop(uv_loop_t* loop) {
  uv_walk(
      loop,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);
}

}  // namespace llmproxy::common
