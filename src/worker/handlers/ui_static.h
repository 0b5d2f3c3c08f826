// The admin web UI on the admin listener: `/` and `/ui` redirect to `/ui/`, `/ui/<file>` is
// answered from the files the worker read at config load (worker/ui/ui_files.h). No admin key
// is needed for the files: the page asks for it and sends it with every API call.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::handlers {

Outcome uiRedirect(LocalCall& call);
Outcome uiFile(LocalCall& call);

}  // namespace llmproxy::worker::handlers
