// Field checks and their messages.
#include "common/config/schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <re2/re2.h>

#include "common/config/budget_period.h"
#include "common/config/model_pattern.h"
#include "common/config/scalars.h"
#include "common/config/units.h"
#include "common/config/validate.h"

namespace llmproxy::common::schema {

namespace {

std::string between(const Field& field, std::string_view got) {
  return "must be between " + std::to_string(field.min) + " and " + std::to_string(field.max) +
         " (got " + std::string(got) + ")";
}

// Text a number column or YAML scalar may hold: an optional '-', then digits (and for numbers
// '.', 'e', '+'). Anything else, spaces included, is not a number at all.
bool looksNumeric(std::string_view text, bool fraction) {
  if (text.starts_with('-')) text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool extra = fraction && (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-');
    if (!digit && !extra) return false;
  }
  return true;
}

// A duration bound as the docs write it: whole seconds ("60s"), else milliseconds.
std::string durationBound(int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

}  // namespace

std::string expected(Kind kind) {
  switch (kind) {
    case Kind::String:
    case Kind::Secret: return "expected a string";
    case Kind::Sha256: return "expected 64 hex digits";
    case Kind::Bool: return "expected true or false";
    case Kind::Integer: return "expected an integer";
    case Kind::Number: return "expected a number";
    case Kind::Duration:
      return "expected a duration such as \"30s\" or \"250ms\" (an integer means seconds)";
    case Kind::Timestamp: return std::string(kExpectedRfc3339);
    case Kind::ProviderType:
      return "expected \"openai\", \"openai-compatible\", \"azure\" or \"anthropic\"";
    case Kind::Url: return "expected a URL starting with http:// or https://";
    case Kind::StringList: return "expected an array of strings";
    case Kind::Mapping: return "expected an object";
  }
  return "unexpected value";
}

Checked<int64_t> integer(const Field& field, int64_t value) {
  if (value < field.min || value > field.max)
    return std::unexpected(between(field, std::to_string(value)));
  return value;
}

Checked<int64_t> unsignedInteger(const Field& field, uint64_t value) {
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::unexpected(between(field, std::to_string(value)));
  return integer(field, static_cast<int64_t>(value));
}

Checked<double> number(const Field& field, double value) {
  if (!std::isfinite(value)) return std::unexpected(expected(Kind::Number));
  if (value < static_cast<double>(field.min) || value > static_cast<double>(field.max))
    return std::unexpected(between(field, formatNumber(value)));
  return value;
}

Checked<std::string> text(const Field& field, std::string_view value) {
  if (value.size() < static_cast<uint64_t>(field.min)) {
    return std::unexpected(field.min == 1 ? std::string("must not be empty")
                                          : "must be at least " + std::to_string(field.min) +
                                                " bytes");
  }
  if (field.max > 0 && value.size() > static_cast<uint64_t>(field.max))
    return std::unexpected("must be at most " + std::to_string(field.max) + " bytes");
  if (value.find('\0') != std::string_view::npos)
    return std::unexpected("must not contain NUL characters");
  return std::string(value);
}

Checked<Millis> duration(const Field& field, Millis value) {
  if (value.count() < field.min) {
    return std::unexpected(field.min <= 1 ? std::string("must be greater than 0")
                                          : "must be at least " + durationBound(field.min));
  }
  if (field.max > 0 && value.count() > field.max)
    return std::unexpected("must be at most " + durationBound(field.max));
  return value;
}

Checked<int64_t> integerText(const Field& field, std::string_view text) {
  if (!looksNumeric(text, false)) return std::unexpected(expected(Kind::Integer));
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return std::unexpected(between(field, text));
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::unexpected(expected(Kind::Integer));
  return integer(field, value);
}

Checked<double> numberText(const Field& field, std::string_view text) {
  if (!looksNumeric(text, true)) return std::unexpected(expected(Kind::Number));
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::unexpected(expected(Kind::Number));
  return number(field, value);
}

Checked<Millis> durationText(const Field& field, std::string_view text) {
  auto parsed = parseDuration(text);
  if (!parsed)
    return std::unexpected("bad duration \"" + std::string(text) + "\": " + parsed.error());
  return duration(field, *parsed);
}

Checked<Millis> durationSeconds(const Field& field, int64_t seconds) {
  if (seconds < 0) return std::unexpected("duration must not be negative");
  if (seconds > std::numeric_limits<int64_t>::max() / 1000)
    return std::unexpected("duration is too large");
  return duration(field, Millis{seconds * 1000});
}

Checked<ProviderType> providerType(std::string_view text) {
  if (text == "openai") return ProviderType::OpenAI;
  if (text == "openai-compatible") return ProviderType::OpenAICompatible;
  if (text == "azure") return ProviderType::Azure;
  if (text == "anthropic") return ProviderType::Anthropic;
  return std::unexpected(expected(Kind::ProviderType) + " (got \"" + std::string(text) + "\")");
}

std::string_view providerTypeName(ProviderType type) {
  switch (type) {
    case ProviderType::OpenAI: return "openai";
    case ProviderType::OpenAICompatible: return "openai-compatible";
    case ProviderType::Azure: return "azure";
    case ProviderType::Anthropic: return "anthropic";
  }
  return "openai";
}

bool speaksResponses(const ProviderConfig& provider) {
  if (provider.responses >= 0) return provider.responses == 1;
  return provider.type == ProviderType::OpenAI;
}

Checked<std::string> providerId(std::string_view text) {
  if (text.empty()) return std::unexpected("must not be empty");
  if (text.size() > static_cast<uint64_t>(provider::kId.max))
    return std::unexpected("must be at most " + std::to_string(provider::kId.max) + " characters");
  if (!isValidProviderId(text))
    return std::unexpected("use only letters, digits, '.', '_' and '-' (got \"" +
                           std::string(text) + "\")");
  return std::string(text);
}

std::string modelMappingProblem(std::string_view pattern, std::string_view target) {
  if (pattern.empty() || target.empty()) return "patterns and targets must not be empty";
  if (classifyModelPattern(pattern) != ModelPatternKind::Regex) return "";
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 regex(pattern, options);
  if (regex.ok()) return "";
  return "bad regex \"" + std::string(pattern) + "\": " + regex.error();
}

Checked<int64_t> expiresAt(std::string_view text) {
  const auto micros = parseRfc3339(text);
  if (!micros) return std::unexpected(std::string(kExpectedRfc3339));
  // Whole seconds, rounded down: a key expires at the start of the second written.
  const int64_t seconds = *micros >= 0 ? *micros / 1'000'000 : (*micros - 999'999) / 1'000'000;
  return expiresAtSeconds(seconds);
}

Checked<int64_t> expiresAtSeconds(int64_t unix_seconds) {
  if (unix_seconds <= 0) return std::unexpected("must be a valid date after 1970-01-01");
  return unix_seconds;
}

double defaultBurst(double requests_per_second, double burst) {
  if (requests_per_second > 0 && burst == 0) return std::max(1.0, requests_per_second);
  return burst;
}

Checked<int64_t> priceMicros(const Field& field, double usd_per_mtok) {
  auto usd = number(field, usd_per_mtok);
  if (!usd) return std::unexpected(usd.error());
  return static_cast<int64_t>(std::llround(*usd * 1e6));
}

Checked<int64_t> budgetMicros(const Field& field, double usd) {
  auto value = number(field, usd);
  if (!value) return std::unexpected(value.error());
  return static_cast<int64_t>(std::llround(*value * 1e6));
}

Checked<int64_t> budgetDuration(std::string_view text) {
  auto parsed = parseBudgetDuration(text);
  if (!parsed) return std::unexpected(parsed.error());
  return *parsed;
}

std::string pricePatternProblem(std::string_view pattern) {
  if (pattern.empty()) return "must not be empty";
  return modelMappingProblem(pattern, "-");
}

}  // namespace llmproxy::common::schema
