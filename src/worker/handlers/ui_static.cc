// Serving the admin web UI's files from memory.
#include "worker/handlers/ui_static.h"

#include "worker/runtime_config.h"

namespace llmproxy::worker::handlers {

Outcome uiRedirect(LocalCall& call) {
  Response r;
  r.status = 302;
  r.headers.emplace_back("Location", "/ui/");
  r.content_type = "text/plain; charset=utf-8";
  r.body = "/ui/\n";
  return call.respond(std::move(r));
}

Outcome uiFile(LocalCall& call) {
  const UiFiles* files = call.config->ui_files.get();
  if (!files || !files->find("index.html"))
    return call.respondError(
        {common::ErrorKind::NotFound,
         "the admin UI is not installed (" +
             (files ? files->error() : std::string("no admin listener")) +
             "); set server.admin_ui_root to the directory of its built files",
         0});
  const std::string& param = call.route_param;
  const UiFile* file = files->find(param.empty() ? std::string_view("index.html") : param);
  if (!file)
    return call.respondError(
        {common::ErrorKind::NotFound, "no such file in the admin UI: /ui/" + param, 0});
  Response r;
  r.content_type = file->content_type;
  r.body = file->body;
  // Revalidated every time: a new build (or package upgrade) is seen at the next load.
  r.headers.emplace_back("Cache-Control", "no-cache");
  return call.respond(std::move(r));
}

}  // namespace llmproxy::worker::handlers
