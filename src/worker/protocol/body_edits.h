// The edits the proxy makes to an OpenAI-style request body on its way to a provider, without
// re-serialising it: the model value replaced by the provider's model name, and, for a stream
// that did not ask for its token usage, `stream_options.include_usage` set to true (so every
// request is counted; the relay then hides the usage-only chunk the client did not ask for).
// The body goes out as the client's bytes between the edits plus the edits' own bytes.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "common/json/json_facts.h"
#include "worker/protocol/operation.h"
#include "worker/protocol/outgoing_request.h"

namespace llmproxy::worker::protocol {

// One span of the client's body replaced (begin == end: an insertion).
struct BodyEdit {
  size_t begin = 0;
  size_t end = 0;
  std::string_view with;
};

// The edits of one body, in body order, and the size of the body they make.
struct BodyPlan {
  std::array<BodyEdit, 2> edits;
  size_t count = 0;
  size_t size = 0;
};

// Plans the edits of `body` (described by `facts`, its own JsonFacts) for `op` with the model
// `target`. The bytes of the edits go into out.model_value and out.usage_request, and
// out.drop_usage_chunk says whether usage was asked on the client's behalf. Usage is asked when
// the request streams, is not an embedding, and stream_options.include_usage is not already true:
//   - stream_options absent: `,"stream_options":{"include_usage":true}` before the final '}';
//   - stream_options null: replaced by `{"include_usage":true}`;
//   - include_usage present (false or null): its value replaced by `true`;
//   - stream_options an object without it: `"include_usage":true` first in it (with a ','
//     after unless the object is empty).
BodyPlan planBody(OutgoingRequest& out, std::string_view body, const common::JsonFacts& facts,
                  Operation op, std::string_view target);

// Appends the body pieces of `plan` to out.bufs: views of `body` and of the plan's bytes (which
// live in `out`); empty pieces are left out.
void appendBodyPieces(OutgoingRequest& out, std::string_view body, const BodyPlan& plan);

}  // namespace llmproxy::worker::protocol
