// OTLP/JSON decoding for the tests: hex ids to base64, then protobuf's strict JSON parser.
#include "otlp/otlp_decode.h"

#include <google/protobuf/util/json_util.h>

#include <array>
#include <cstdio>

namespace llmproxy::testing {
namespace {

namespace otlp = llmproxy::test::otlp;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// OTLP/JSON writes traceId, spanId and parentSpanId as hex (the spec's one departure from
// protobuf's JSON mapping, where bytes are base64). Hex of a wrong length or with other
// characters is an error, as in a collector.
bool hexIdsToBase64(std::string& json, std::string* error) {
  static constexpr std::array<std::string_view, 3> kKeys = {"\"traceId\":\"", "\"spanId\":\"",
                                                            "\"parentSpanId\":\""};
  for (std::string_view key : kKeys) {
    const size_t expect = key == kKeys[0] ? 32 : 16;
    for (size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
      const size_t begin = at + key.size();
      const size_t end = json.find('"', begin);
      if (end == std::string::npos) return false;
      std::string bytes;
      const size_t len = end - begin;
      if (len != expect && len != 0) {
        *error = std::string(key) + " has " + std::to_string(len) + " hex digits";
        return false;
      }
      for (size_t i = begin; i + 1 < end; i += 2) {
        const int hi = hexDigit(json[i]);
        const int lo = hexDigit(json[i + 1]);
        if (hi < 0 || lo < 0) {
          *error = std::string(key) + " is not hex: " + json.substr(begin, len);
          return false;
        }
        bytes += static_cast<char>(hi * 16 + lo);
      }
      json.replace(begin, len, base64(bytes));
    }
  }
  return true;
}

}  // namespace

std::optional<otlp::ExportTraceServiceRequest> decodeOtlpJson(std::string_view body,
                                                               std::string* error) {
  std::string json(body);
  if (!hexIdsToBase64(json, error)) return std::nullopt;
  otlp::ExportTraceServiceRequest request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &request, options);
  if (!status.ok()) {
    *error = status.ToString();
    return std::nullopt;
  }
  return request;
}

const otlp::AnyValue* attribute(const google::protobuf::RepeatedPtrField<otlp::KeyValue>& attributes,
                                std::string_view key) {
  for (const otlp::KeyValue& kv : attributes)
    if (kv.key() == key) return &kv.value();
  return nullptr;
}

std::string attributeText(const google::protobuf::RepeatedPtrField<otlp::KeyValue>& attributes,
                          std::string_view key) {
  const otlp::AnyValue* v = attribute(attributes, key);
  if (!v) return "";
  switch (v->value_case()) {
    case otlp::AnyValue::kStringValue: return v->string_value();
    case otlp::AnyValue::kIntValue: return std::to_string(v->int_value());
    case otlp::AnyValue::kBoolValue: return v->bool_value() ? "true" : "false";
    case otlp::AnyValue::kDoubleValue: {
      char buf[64];
      snprintf(buf, sizeof buf, "%g", v->double_value());
      return buf;
    }
    case otlp::AnyValue::kArrayValue:
      if (v->array_value().values_size() == 1) return v->array_value().values(0).string_value();
      return "";
    default: return "";
  }
}

std::string hexOf(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += kDigits[static_cast<uint8_t>(c) >> 4];
    out += kDigits[static_cast<uint8_t>(c) & 15];
  }
  return out;
}

}  // namespace llmproxy::testing
