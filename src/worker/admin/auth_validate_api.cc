// Key validation against the pinned snapshot's key index.
#include "worker/admin/auth_validate_api.h"

#include "common/crypto/sha256.h"
#include "common/json/json_writer.h"
#include "common/time/clock.h"
#include "worker/admin/admin_common.h"
#include "worker/admin/admin_json.h"
#include "worker/admin/admin_output.h"

namespace llmproxy::worker::admin {

Outcome authValidate(LocalCall& call) {
  JsonBody body;
  std::optional<std::string> key;
  if (body.parse(call.request.body, {"key"})) {
    if (auto v = body.get("key"))
      key = body.string(*v, "key", kMaxSecretSize, false);
    else
      body.fail("key", "'key' is required");
  }
  if (!body.ok()) return respondFieldError(call, body.error());

  const KeyMatcher& index = call.config->key_index;
  const ClientKey* found = index.find(common::sha256(*key));
  const auto verdict = KeyMatcher::verdict(found, common::nowUnixMs() / 1000);
  common::JsonWriter w;
  w.beginObject().field("valid", verdict == KeyMatcher::Verdict::Ok);
  switch (verdict) {
    case KeyMatcher::Verdict::Unknown: w.field("reason", "unknown"); break;
    case KeyMatcher::Verdict::Disabled: w.field("reason", "disabled"); break;
    case KeyMatcher::Verdict::Expired: w.field("reason", "expired"); break;
    case KeyMatcher::Verdict::Ok: break;
  }
  if (found) {
    const common::KeyConfig& k = call.config->keys[found->index];
    w.key("id");
    if (k.db_id != 0)
      w.value(k.db_id);
    else
      w.null();
    w.field("name", k.name);
    writeStringList(w, "allowed_models", k.allowed_models);
    w.key("expires_at");
    if (k.expires_at == 0)
      w.null();
    else
      w.value(common::formatRfc3339(k.expires_at));
    w.field("source", k.db_id != 0 ? "database" : "file");
  }
  w.endObject();
  return respondJson(call, 200, w.take());
}

}  // namespace llmproxy::worker::admin
