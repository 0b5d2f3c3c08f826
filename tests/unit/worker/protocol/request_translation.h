// Test helpers for the request translation: read + repair + write in one call, and a JSON
// comparison that ignores key order and spacing.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/json/canonical_json.h"
#include "worker/protocol/anthropic_request_writer.h"
#include "worker/protocol/chat_request_writer.h"
#include "worker/protocol/request_reader.h"
#include "worker/protocol/request_repairs.h"

namespace llmproxy::worker::protocol::testing {

using Source = InternalRequest::Source;

struct Translated {
  bool ok = false;
  std::string body;
  std::vector<std::string> dropped;
  RepairCounts repairs;
  bool client_include_usage = false;
  uint32_t unparseable_arguments = 0;
  common::Error error;
};

enum class Target { Anthropic, Chat, ChatMaxTokens };

inline Translated translate(Source source, const std::string& body, Target target,
                            uint64_t default_max_tokens = 0) {
  RequestReader reader;
  Translated t;
  auto ir = reader.read(source, body);
  if (!ir) {
    t.error = ir.error();
    return t;
  }
  const bool anthropic = target == Target::Anthropic;
  t.repairs = repairRequest(
      *ir, anthropic ? common::ProviderType::Anthropic : common::ProviderType::OpenAI);
  WrittenRequest w = anthropic ? writeAnthropicRequest(*ir, {"provider-model", default_max_tokens})
                               : writeChatRequest(*ir, {"provider-model", target == Target::Chat});
  t.ok = true;
  t.body = std::move(w.body);
  for (std::string_view d : w.dropped) t.dropped.emplace_back(d);
  t.client_include_usage = w.client_include_usage;
  t.unparseable_arguments = ir->unparseable_arguments;
  return t;
}

inline std::string canonical(std::string_view json) {
  std::string out;
  if (!common::appendCanonicalJson(out, json)) return "<invalid JSON> " + std::string(json);
  return out;
}

// Semantic equality: same members and values, whatever the key order and spacing.
inline void expectSameJson(std::string_view actual, std::string_view expected) {
  EXPECT_EQ(canonical(actual), canonical(expected)) << "actual: " << actual;
}

// A translation case: the client's body, what the provider gets, what is listed as dropped.
struct Case {
  const char* name;
  const char* in;
  const char* out;
  std::vector<std::string> dropped = {};
};

inline std::string caseName(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

}  // namespace llmproxy::worker::protocol::testing
