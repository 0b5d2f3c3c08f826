// runImportConfig: read the YAML, validate everything, then one transaction of upserts.
#include "master/import/import_command.h"

namespace llmproxy::master::import {

int runImportConfig(const std::string&, const std::optional<std::string>&, const std::string&,
                    const common::EnvLookup&, std::ostream&, std::ostream& err) {
  err << "llmproxy: import-config: not implemented yet\n";
  return 1;
}

}  // namespace llmproxy::master::import
