// Responses the admin resource handlers share.
#include "worker/admin/admin_common.h"

namespace llmproxy::worker::admin {

Outcome respondNotFound(Exchange& ex, std::string_view what) {
  return pipeline::respondError(
      ex, {common::ErrorKind::NotFound, "no " + std::string(what) + " with this id", 0});
}

Outcome respondJson(Exchange& ex, int status, std::string body) {
  body += '\n';  // curl prints the next prompt on its own line
  return pipeline::respond(ex, Response::json(status, std::move(body)));
}

}  // namespace llmproxy::worker::admin
