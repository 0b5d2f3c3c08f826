// CLI11 front end: parses argv into CliOptions and renders nginx-like help.
#include "master/cli.h"

#include <CLI/CLI.hpp>

namespace llmproxy::master {
namespace {

constexpr const char* kUsage =
    "Usage: llmproxy [-?hVtqg] [-s signal] [-c filename] [-p pidfile]\n"
    "\n"
    "Options:\n"
    "  -?,-h,--help      : this help\n"
    "  -V,--version      : show version and exit\n"
    "  -t                : test configuration and exit\n"
    "  -q                : suppress non-error messages during configuration testing\n"
    "  -g,--foreground   : stay in the foreground (do not daemonize); for systemd and `make run`\n"
    "  -s signal         : send signal to a master process: stop, quit, reopen, reload\n"
    "  -c filename       : set configuration file (default: /etc/llmproxy/llmproxy.conf)\n"
    "  -p pidfile        : set pid file (default: server.pid_file, /run/llmproxy/llmproxy.pid)\n"
    "\n"
    "Database commands (URL from -d, else DB_URL, else [database] url of the -c file):\n"
    "  llmproxy migrate up [N]       [-d URL] [--migrations DIR] : apply all (or N) pending\n"
    "  llmproxy migrate down [N|all] [-d URL] [--migrations DIR] : roll back 1 (or N, or all)\n"
    "  llmproxy migrate version      [-d URL]                    : print the schema version\n"
    "  llmproxy migrate force V      [-d URL]                    : set the version (-1: none)\n"
    "  llmproxy import-config FILE.yaml [-d URL]                 : load a seed YAML config\n"
    "  llmproxy import-config --from litellm FILE.yaml           : print llmproxy.conf for a\n"
    "                                                              LiteLLM proxy config\n"
    "  (migrations: --migrations, else /usr/share/llmproxy/migrations)\n";

}  // namespace

CliResult parseCli(const std::vector<std::string>& args) {
  CLI::App app{"llmproxy", "llmproxy"};
  app.set_help_flag();  // our own help text below
  CliOptions o;
  bool help = false;
  std::string signal;
  app.add_flag("-h,-?,--help", help);
  app.add_flag("-V,--version", o.show_version);
  app.add_flag("-t", o.test_config);
  app.add_flag("-q", o.quiet);
  app.add_flag("-g,--foreground", o.foreground);
  app.add_option("-s", signal);
  app.add_option("-c", o.config_file);
  app.add_option("-p", o.pid_file);

  // Subcommands; -c (and -h) before or after them reach the main options (fallthrough).
  ToolOptions tool;
  CLI::App* migrate = app.add_subcommand("migrate");
  migrate->fallthrough();
  migrate->add_option("args", tool.args)->expected(1, 2);
  migrate->add_option("-d,--database", tool.database);
  migrate->add_option("--migrations", tool.migrations_dir);
  migrate->add_flag("--all", tool.all);
  CLI::App* import_config = app.add_subcommand("import-config");
  import_config->fallthrough();
  import_config->add_option("file", tool.args)->expected(1);
  import_config->add_option("-d,--database", tool.database);
  import_config->add_option("--from", tool.from);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return CliResult{std::nullopt, 1, std::string("llmproxy: ") + e.what() + "\n" + kUsage};
  }
  if (!help && (migrate->parsed() || import_config->parsed())) {
    tool.command = migrate->parsed() ? "migrate" : "import-config";
    if (tool.args.empty()) {
      return CliResult{std::nullopt, 1,
                       "llmproxy: " + tool.command + ": missing argument\n" + kUsage};
    }
    o.tool = std::move(tool);
  }
  if (o.tool && !o.tool->from.empty() && o.tool->from != "litellm")
    return CliResult{std::nullopt, 1,
                     "llmproxy: import-config: --from takes \"litellm\" (got \"" + o.tool->from +
                         "\")\n"};
  if (!signal.empty() && signal != "stop" && signal != "quit" && signal != "reopen" &&
      signal != "reload")
    return CliResult{std::nullopt, 1, "llmproxy: invalid option: \"-s " + signal + "\"\n"};
  if (help) return CliResult{std::nullopt, 0, kUsage};
  if (!signal.empty()) o.signal = signal;
  return CliResult{o, 0, {}};
}

}  // namespace llmproxy::master
