// `llmproxy -s reload|quit|stop|reopen`: signal the running master named by the pid file.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/base/result.h"

namespace llmproxy::master {

// True when `pid` runs the same executable as this process (by file name, so a master whose
// binary was replaced by an upgrade still passes) and carries the master's process title.
common::Result<void> checkIsMaster(pid_t pid);

// Checks the pid file names an llmproxy master (checkIsMaster), then signals it.
// Returns the process exit code; prints errors nginx-style to stderr.
int sendSignal(const std::string& name, const std::string& pid_file);

}  // namespace llmproxy::master
