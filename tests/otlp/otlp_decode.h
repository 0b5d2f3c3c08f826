// Decodes an OTLP/JSON trace export body the way a collector does: protobuf's JSON parser
// against the OTLP messages (otlp_trace.proto), unknown fields refused, after turning the hex
// trace and span ids of OTLP/JSON into the base64 of protobuf's JSON mapping. For the tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "otlp/otlp_trace.pb.h"

namespace llmproxy::testing {

// The decoded request, or nullopt with the reason in *error.
std::optional<llmproxy::test::otlp::ExportTraceServiceRequest> decodeOtlpJson(
    std::string_view body, std::string* error);

// The value of a span's (or resource's) attribute as text ("" when absent): strings as they
// are, ints and doubles in decimal, bools as true/false, a one-string array as that string.
std::string attributeText(
    const google::protobuf::RepeatedPtrField<llmproxy::test::otlp::KeyValue>& attributes,
    std::string_view key);
// The attribute itself, or nullptr.
const llmproxy::test::otlp::AnyValue* attribute(
    const google::protobuf::RepeatedPtrField<llmproxy::test::otlp::KeyValue>& attributes,
    std::string_view key);

// Raw id bytes as lowercase hex.
std::string hexOf(const std::string& bytes);

}  // namespace llmproxy::testing
