// initLoopRecordingFds: the descriptors noted are exactly the loop's own, and a forked child that
// closes them still has a working libuv (its process-wide signal pipe was not among them).
#include "common/uv/loop_fds.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>

namespace llmproxy::common {
namespace {

bool isOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

TEST(LoopFds, RecordsTheDescriptorsTheLoopOpened) {
  uv_loop_t loop;
  std::vector<int> fds;
  ASSERT_EQ(initLoopRecordingFds(&loop, fds), 0);
  EXPECT_NE(std::find(fds.begin(), fds.end(), uv_backend_fd(&loop)), fds.end());
  EXPECT_GE(fds.size(), 2u) << "epoll plus at least the async or signal descriptors";
  for (int fd : fds) EXPECT_TRUE(isOpen(fd)) << fd;
  ASSERT_EQ(uv_loop_close(&loop), 0);
  // Closing the loop closes every one of them: none belonged to anything else.
  for (int fd : fds) EXPECT_FALSE(isOpen(fd)) << fd;
}

TEST(LoopFds, ChildClosingThemKeepsAWorkingLibuv) {
  uv_loop_t loop;
  std::vector<int> fds;
  ASSERT_EQ(initLoopRecordingFds(&loop, fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (int fd : fds) close(fd);
    // A fresh loop with a signal handler: needs libuv's process-wide lock pipe intact.
    uv_loop_t own;
    if (uv_loop_init(&own) != 0) _exit(2);
    uv_signal_t sig;
    uv_signal_init(&own, &sig);
    static bool got = false;
    uv_signal_start(
        &sig,
        [](uv_signal_t* h, int) {
          got = true;
          uv_signal_stop(h);
        },
        SIGUSR2);
    raise(SIGUSR2);
    uv_run(&own, UV_RUN_DEFAULT);
    _exit(got ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The parent's loop is untouched by the child's close().
  for (int fd : fds) EXPECT_TRUE(isOpen(fd)) << fd;
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(LoopFds, OpenFdsListsStandardStreams) {
  const auto fds = openFds();
  EXPECT_TRUE(std::binary_search(fds.begin(), fds.end(), STDERR_FILENO));
}

}  // namespace
}  // namespace llmproxy::common
