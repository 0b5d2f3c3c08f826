// The model splice and the include_usage injection.
#include "worker/protocol/body_edits.h"

#include <utility>

#include "common/json/json_writer.h"

namespace llmproxy::worker::protocol {
namespace {

// The usage edit, when the stream did not ask for usage itself.
bool planUsage(OutgoingRequest& out, const common::JsonFacts& f, Operation op, BodyEdit& edit) {
  if (!f.stream || f.include_usage == true) return false;
  // Only Chat Completions and completions streams need asking; the others always report usage.
  if (op != Operation::ChatCompletions && op != Operation::Completions) return false;
  using SO = common::JsonFacts::StreamOptions;
  switch (f.stream_options) {
    case SO::Absent:
      out.usage_request = ",\"stream_options\":{\"include_usage\":true}";
      edit = {f.object_close, f.object_close, out.usage_request};
      return true;
    case SO::Null:
      out.usage_request = "{\"include_usage\":true}";
      edit = {f.stream_options_token.begin, f.stream_options_token.end, out.usage_request};
      return true;
    case SO::Object:
      if (!f.include_usage_token.empty()) {
        out.usage_request = "true";
        edit = {f.include_usage_token.begin, f.include_usage_token.end, out.usage_request};
      } else {
        out.usage_request =
            f.stream_options_empty ? "\"include_usage\":true" : "\"include_usage\":true,";
        const size_t at = f.stream_options_token.begin + 1;
        edit = {at, at, out.usage_request};
      }
      return true;
  }
  return false;
}

}  // namespace

BodyPlan planBody(OutgoingRequest& out, std::string_view body, const common::JsonFacts& facts,
                  Operation op, std::string_view target) {
  BodyPlan plan;
  out.model_value.clear();
  common::appendJsonString(out.model_value, target);
  out.usage_request.clear();
  plan.edits[0] = {facts.model_token.begin, facts.model_token.end, out.model_value};
  plan.count = 1;
  out.drop_usage_chunk = planUsage(out, facts, op, plan.edits[1]);
  if (out.drop_usage_chunk) {
    plan.count = 2;
    if (plan.edits[1].begin < plan.edits[0].begin) std::swap(plan.edits[0], plan.edits[1]);
  }
  plan.size = body.size();
  for (size_t i = 0; i < plan.count; ++i) {
    const BodyEdit& e = plan.edits[i];
    plan.size += e.with.size() - (e.end - e.begin);
  }
  return plan;
}

void appendBodyPieces(OutgoingRequest& out, std::string_view body, const BodyPlan& plan) {
  auto piece = [&out](std::string_view p) {
    if (!p.empty()) out.bufs.push_back(uv_buf_init(const_cast<char*>(p.data()), p.size()));
  };
  size_t at = 0;
  for (size_t i = 0; i < plan.count; ++i) {
    const BodyEdit& e = plan.edits[i];
    piece(body.substr(at, e.begin - at));
    piece(e.with);
    at = e.end;
  }
  piece(body.substr(at));
}

}  // namespace llmproxy::worker::protocol
