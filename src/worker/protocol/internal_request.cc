// JsonText's reading helpers and the client field names of the internal form.
#include "worker/protocol/internal_request.h"

namespace llmproxy::worker::protocol {
namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits at s[i..i+4), or -1.
int32_t hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const int d = hexDigit(s[k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string JsonText::unescaped() const {
  if (!escaped) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    switch (c) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        int32_t cp = hex4(s, i + 1);
        if (cp < 0) {
          out += "\\u";
          break;
        }
        i += 4;
        // A high surrogate takes the low one after it; a lone surrogate becomes U+FFFD.
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const int32_t low =
              i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u' ? hex4(s, i + 3) : -1;
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        appendUtf8(out, static_cast<uint32_t>(cp));
        break;
      }
      default:  // '"', '\\', '/'
        out += c;
    }
  }
  return out;
}

bool JsonText::equals(std::string_view value) const {
  return escaped ? unescaped() == value : s == value;
}

bool JsonText::blank() const {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ') continue;
    if (s[i] != '\\' || i + 1 == s.size()) return false;
    const char c = s[++i];
    if (c == 'n' || c == 't' || c == 'r' || c == 'f') continue;
    if (c != 'u') return false;
    const int32_t cp = hex4(s, i + 1);
    if (cp != 0x20 && (cp < 0x09 || cp > 0x0D)) return false;
    i += 4;
  }
  return true;
}

std::string_view reasoningFieldName(InternalRequest::Source source) {
  switch (source) {
    case InternalRequest::Source::ChatCompletions:
      return "reasoning_effort";
    case InternalRequest::Source::Messages:
      return "thinking";
    case InternalRequest::Source::Responses:
      return "reasoning";
  }
  return "reasoning";
}

std::string_view responseFormatFieldName(InternalRequest::Source source) {
  return source == InternalRequest::Source::Responses ? "text" : "response_format";
}

}  // namespace llmproxy::worker::protocol
