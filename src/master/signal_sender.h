// `llmproxy -s reload|quit|stop|reopen`: signal the running master named by the pid file.
#pragma once

#include <string>

namespace llmproxy::master {

// Returns the process exit code; prints errors nginx-style to stderr.
int sendSignal(const std::string& name, const std::string& pid_file);

}  // namespace llmproxy::master
