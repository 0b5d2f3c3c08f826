// A libuv loop and the file descriptors it opened for itself (its epoll instance, signal pipe
// and async eventfd), learnt through libuv's public API and the kernel's fd table only: the
// table is listed before and after uv_loop_init. The master forks workers from inside its
// loop; a child closes these copies with plain close() and never runs or closes the loop
// (STYLE.md C.2), without reading libuv's private loop fields.
#pragma once

#include <uv.h>

#include <vector>

namespace llmproxy::common {

// uv_loop_init(loop), recording into `fds` the descriptors it opened. Returns uv_loop_init's
// result. Call it while the process is single-threaded (nothing else may open fds meanwhile).
// NOTE: libuv opens one process-wide pipe with its first loop and re-creates it in every child
// through an atfork handler; a throwaway loop is made and closed first so that pipe is never
// counted as this loop's (the child must keep the new one).
int initLoopRecordingFds(uv_loop_t* loop, std::vector<int>& fds);

// The descriptors open in this process, ascending (from /proc/self/fd).
std::vector<int> openFds();

}  // namespace llmproxy::common
