// Entry point: dispatch to -V, -t, -s or running the master.
#include <iostream>
#include <string>
#include <vector>

#include "common/config/load.h"
#include "common/log/log.h"
#include "master/cli.h"
#include "master/import/import_command.h"
#include "master/master.h"
#include "master/migrate/migrate_command.h"
#include "master/proc_title.h"
#include "master/signal_sender.h"

using namespace llmproxy;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  master::initProcTitle(argc, argv);

  auto cli = master::parseCli(args);
  if (!cli.options) {
    (cli.exit_code == 0 ? std::cout : std::cerr) << cli.output;
    return cli.exit_code;
  }
  const master::CliOptions& opt = *cli.options;
  if (opt.show_version) {
    std::cout << "llmproxy version: llmproxy/" << LLMPROXY_VERSION << "\n";
    return 0;
  }

  if (opt.tool) {
    if (opt.tool->command == "migrate") {
      master::migrate::MigrateRequest request{opt.tool->args, opt.tool->all, opt.tool->database,
                                              opt.tool->migrations_dir, opt.config_file};
      return master::migrate::runMigrate(request, common::processEnv(), std::cout, std::cerr);
    }
    if (opt.tool->from == "litellm")
      return master::import::runImportLitellm(opt.tool->args.front(), std::cout, std::cerr);
    return master::import::runImportConfig(opt.tool->args.front(), opt.tool->database,
                                           opt.config_file, common::processEnv(), std::cout,
                                           std::cerr);
  }

  auto config = common::loadConfigFile(opt.config_file, common::processEnv());
  if (opt.signal) {
    std::string pid_file;
    if (opt.pid_file) {
      pid_file = *opt.pid_file;
    } else if (config) {
      pid_file = config->server.pid_file;
    } else {
      for (const auto& e : config.error()) std::cerr << "llmproxy: [emerg] " << e.str() << "\n";
      return 1;
    }
    return master::sendSignal(*opt.signal, pid_file);
  }
  if (!config) {
    for (const auto& e : config.error()) std::cerr << "llmproxy: [emerg] " << e.str() << "\n";
    if (opt.test_config)
      std::cerr << "llmproxy: configuration file " << opt.config_file << " test failed\n";
    return 1;
  }
  if (opt.test_config) {
    if (!opt.quiet) {
      std::cerr << "llmproxy: the configuration file " << opt.config_file << " syntax is ok\n"
                << "llmproxy: configuration file " << opt.config_file
                << " test is successful\n";
    }
    return 0;
  }

  if (auto r = common::log::setup(config->log); !r) {
    std::cerr << "llmproxy: [emerg] " << r.error().detail << "\n";
    return 1;
  }
  const std::string pid_file = opt.pid_file ? *opt.pid_file : config->server.pid_file;
  master::Master m(opt, std::move(*config), pid_file);
  return m.run();
}
