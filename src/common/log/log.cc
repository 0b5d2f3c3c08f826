// spdlog wiring for the error log and the access log.
#include "common/log/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace llmproxy::common::log {
namespace {

struct State {
  LogConfig config;
  std::shared_ptr<spdlog::logger> error;
  std::shared_ptr<spdlog::logger> access;
};

State& state() {
  static State s{LogConfig{}, std::make_shared<spdlog::logger>(
                                  "error", std::make_shared<spdlog::sinks::stderr_sink_st>()),
                 nullptr};
  return s;
}

Result<spdlog::sink_ptr> openSink(const std::string& target) {
  if (target == "stderr") return std::make_shared<spdlog::sinks::stderr_sink_st>();
  if (target == "stdout") return std::make_shared<spdlog::sinks::stdout_sink_st>();
  try {
    return std::make_shared<spdlog::sinks::basic_file_sink_st>(target, false);
  } catch (const spdlog::spdlog_ex& e) {
    return fail(ErrorKind::Internal, "cannot open log file \"" + target + "\": " + e.what());
  }
}

Result<void> build(const LogConfig& config, State& into) {
  auto error_sink = openSink(config.error_log);
  if (!error_sink) return std::unexpected(error_sink.error());
  auto error_logger = std::make_shared<spdlog::logger>("error", *error_sink);
  error_logger->set_pattern("%Y/%m/%d %H:%M:%S [%l] %P: %v");
  error_logger->set_level(spdlog::level::from_str(config.level));
  error_logger->flush_on(spdlog::level::trace);

  std::shared_ptr<spdlog::logger> access_logger;
  if (config.access_log != "off") {
    auto access_sink = openSink(config.access_log);
    if (!access_sink) return std::unexpected(access_sink.error());
    access_logger = std::make_shared<spdlog::logger>("access", *access_sink);
    access_logger->set_pattern("%v");
    access_logger->set_level(spdlog::level::info);
    access_logger->flush_on(spdlog::level::err);  // flushed by flush(), on a timer
  }
  into.config = config;
  into.error = std::move(error_logger);
  into.access = std::move(access_logger);
  return {};
}

}  // namespace

Result<void> setup(const LogConfig& config) { return build(config, state()); }

Result<void> reconfigure(const LogConfig& config) {
  State next;
  auto r = build(config, next);
  if (!r) return r;
  flush();
  state() = std::move(next);
  return {};
}

void reopen() {
  State next;
  if (auto r = build(state().config, next); !r) {
    state().error->error("reopening logs failed: {}", r.error().detail);
    return;
  }
  flush();
  state() = std::move(next);
}

void flush() {
  auto& s = state();
  s.error->flush();
  if (s.access) s.access->flush();
}

spdlog::logger& error() { return *state().error; }

bool accessEnabled() { return state().access != nullptr; }

void access(std::string_view line) {
  if (auto& a = state().access) a->info(line);
}

}  // namespace llmproxy::common::log
