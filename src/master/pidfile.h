// The pid file: written by the master after start, read by `llmproxy -s`, removed at exit.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/base/result.h"

namespace llmproxy::master {

// Creates the parent directory if missing; rewrites an existing file in place. Both refuse a
// pid file that is a symbolic link (O_NOFOLLOW).
common::Result<void> writePidFile(const std::string& path, pid_t pid);
common::Result<pid_t> readPidFile(const std::string& path);
void removePidFile(const std::string& path, pid_t expected_pid);

}  // namespace llmproxy::master
