// Reading one value of a JSON answer in a test, by JSON pointer ("/data/0/model_name").
#pragma once

#include <simdjson.h>

#include <string>

namespace llmproxy::testing {

// The value as minified JSON; "" when the body does not parse or has no such value.
inline std::string jsonAt(const std::string& body, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return "";
  simdjson::dom::element v;
  if (doc.at_pointer(pointer).get(v) != simdjson::SUCCESS) return "";
  return simdjson::minify(v);
}

// The value as a number; -1 when absent or not a number.
inline double jsonNumber(const std::string& body, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  double v = -1;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS ||
      doc.at_pointer(pointer).get_double().get(v) != simdjson::SUCCESS)
    return -1;
  return v;
}

}  // namespace llmproxy::testing
