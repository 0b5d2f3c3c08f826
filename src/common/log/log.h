// The error log and the access log of one process (master or worker), built on spdlog with
// single-threaded sinks (threads do not survive fork). Each process calls setup() after fork;
// reopen() on SIGUSR1 re-creates the file sinks so logrotate can move the files away.
// Secrets (provider or client keys) never go into either log.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "common/base/result.h"
#include "common/config/config.h"

namespace llmproxy::common::log {

// Opens both logs as configured. `process` ("master", "worker 3") is for messages only.
// Fails with a message naming the file when it cannot be opened.
Result<void> setup(const LogConfig& config);
// Like setup() but keeps the current logs when the new ones cannot be opened.
Result<void> reconfigure(const LogConfig& config);
void reopen();
void flush();

spdlog::logger& error();
bool accessEnabled();
void access(std::string_view line);

}  // namespace llmproxy::common::log

#define LLMP_LOG_DEBUG(...) ::llmproxy::common::log::error().debug(__VA_ARGS__)
#define LLMP_LOG_INFO(...) ::llmproxy::common::log::error().info(__VA_ARGS__)
#define LLMP_LOG_NOTICE(...) ::llmproxy::common::log::error().info(__VA_ARGS__)
#define LLMP_LOG_WARN(...) ::llmproxy::common::log::error().warn(__VA_ARGS__)
#define LLMP_LOG_ERROR(...) ::llmproxy::common::log::error().error(__VA_ARGS__)
#define LLMP_LOG_CRIT(...) ::llmproxy::common::log::error().critical(__VA_ARGS__)
