// Command-line options of the llmproxy binary (nginx-style).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace llmproxy::master {

// `llmproxy migrate ...` and `llmproxy import-config FILE`: one-shot database tools.
struct ToolOptions {
  std::string command;                        // "migrate" | "import-config"
  std::vector<std::string> args;              // positional: {"down", "2"} or {"seed.yaml"}
  bool all = false;                           // migrate down --all
  std::optional<std::string> database;        // -d / --database URL
  std::optional<std::string> migrations_dir;  // --migrations DIR
  std::string from;                           // import-config --from litellm ("" = seed YAML)
};

struct CliOptions {
  std::string config_file = "/etc/llmproxy/llmproxy.conf";
  std::optional<std::string> pid_file;  // -p overrides server.pid_file
  bool test_config = false;             // -t
  bool quiet = false;                   // -q: only errors during -t
  bool foreground = false;              // -g / --foreground
  bool show_version = false;            // -V
  std::optional<std::string> signal;    // -s reload|quit|stop|reopen
  std::optional<ToolOptions> tool;      // a subcommand instead of running the proxy
};

struct CliResult {
  std::optional<CliOptions> options;  // empty when the program should exit with `exit_code`
  int exit_code = 0;
  std::string output;                 // text for stdout (help) or stderr (errors)
};

CliResult parseCli(const std::vector<std::string>& args);

}  // namespace llmproxy::master
