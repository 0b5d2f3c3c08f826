// A small append-only JSON writer for the responses llmproxy builds itself (health, admin,
// errors). Never used to re-serialise a proxied body.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace llmproxy::common {

// Appends `s` as a JSON string token, quotes included, escaped per RFC 8259 §7:
// '"' and '\\' escaped; \b \f \n \r \t in their short form; the other control characters
// U+0000..U+001F as \u00XX; valid UTF-8 (and DEL) copied through unchanged. Any byte that is
// not part of a well-formed UTF-8 sequence (overlong, surrogate, truncated, > U+10FFFF) is
// written as \ufffd, so the output is always valid JSON even for untrusted bytes.
void appendJsonString(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& beginObject() { return open('{'); }
  JsonWriter& endObject() { return close('}'); }
  JsonWriter& beginArray() { return open('['); }
  JsonWriter& endArray() { return close(']'); }
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(unsigned v) { return value(static_cast<uint64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Appends `json` as it is: the caller guarantees one complete, valid JSON value (e.g.
  // PostgreSQL's jsonb text output). Never pass untrusted bytes.
  JsonWriter& raw(std::string_view json);
  // A string value or key whose content is already in JSON's escaped form (what lies between
  // the quotes of a validated JSON string: the four bytes a, \, n, b for a two-line text),
  // written between quotes as it is, without a second escaping. Never pass untrusted bytes.
  JsonWriter& escapedValue(std::string_view content);
  JsonWriter& escapedKey(std::string_view content);
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  // Room for `n` bytes of output before a reallocation.
  JsonWriter& reserve(size_t n) {
    out_.reserve(n);
    return *this;
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  void separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace llmproxy::common
