// Which database the command-line tools talk to: -d URL, else $DB_URL, else the config file's
// [database] url (the file named by -c, /etc/llmproxy/llmproxy.conf by default).
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>

#include "common/config/load.h"

namespace llmproxy::master::pgcli {

struct DatabaseTarget {
  std::string url;
  std::chrono::seconds connect_timeout{10};
};

// The error says where it looked (the config file's own errors as file:line:col).
std::expected<DatabaseTarget, std::string> resolveDatabase(const std::optional<std::string>& flag,
                                                           const std::string& config_file,
                                                           const common::EnvLookup& env);

}  // namespace llmproxy::master::pgcli
