// Langfuse's ingestion API schema (POST /api/public/ingestion: IngestionRequest with its
// trace-create and generation-create events, as Langfuse's API definition gives them), checked
// against a body: every field known, of its type, datetimes in ISO 8601, enums in their set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace llmproxy::testing {

// What in `body` breaks the schema, one line each ("batch[1].body.usage.input: not an
// integer"); empty when the body conforms. Event types this proxy never sends are errors too.
std::vector<std::string> langfuseSchemaErrors(std::string_view body);

}  // namespace llmproxy::testing
