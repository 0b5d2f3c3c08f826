// Fuzz target: admin API request bodies (POST/PUT /admin/v1/providers and /credentials)
// through their readers, for create and update. A refusal always names what is wrong.
#include <cstdlib>
#include <string>

#include "fuzz_input.h"
#include "worker/admin/credential_json.h"
#include "worker/admin/provider_json.h"

using namespace llmproxy::worker::admin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  llmproxy::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.takeByte();
  const std::string body(in.rest());
  FieldError error;
  const bool create = (mode & 1) != 0;
  if (mode & 2) {
    auto fields = readCredentialBody(body, create, error);
    if (!fields && error.message.empty()) std::abort();
  } else {
    auto fields = readProviderBody(body, create, error);
    if (!fields && error.message.empty()) std::abort();
  }
  return 0;
}
