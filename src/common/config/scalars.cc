// RFC 3339, masks and message numbers.
#include "common/config/scalars.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace llmproxy::common {

namespace {

// Reads exactly `n` digits at text[at], advancing `at`.
std::optional<int> digits(std::string_view text, size_t& at, size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += n;
  return value;
}

bool expect(std::string_view text, size_t& at, std::string_view chars) {
  if (at >= text.size() || chars.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

}  // namespace

std::optional<int64_t> parseRfc3339(std::string_view text) {
  size_t at = 0;
  const auto year = digits(text, at, 4);
  if (!year || !expect(text, at, "-")) return std::nullopt;
  const auto month = digits(text, at, 2);
  if (!month || !expect(text, at, "-")) return std::nullopt;
  const auto day = digits(text, at, 2);
  if (!day || !expect(text, at, "Tt ")) return std::nullopt;
  const auto hour = digits(text, at, 2);
  if (!hour || !expect(text, at, ":")) return std::nullopt;
  const auto minute = digits(text, at, 2);
  if (!minute || !expect(text, at, ":")) return std::nullopt;
  const auto second = digits(text, at, 2);
  if (!second) return std::nullopt;
  int64_t micros = 0;
  if (expect(text, at, ".")) {
    const size_t start = at;
    int64_t scale = 100000;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      micros += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == start || at - start > 9) return std::nullopt;
  }
  int offset_minutes = 0;
  if (!expect(text, at, "Zz")) {
    if (at >= text.size()) return std::nullopt;
    const int sign = text[at] == '-' ? -1 : 1;
    if (!expect(text, at, "+-")) return std::nullopt;
    const auto off_hour = digits(text, at, 2);
    if (!off_hour || !expect(text, at, ":")) return std::nullopt;
    const auto off_minute = digits(text, at, 2);
    if (!off_minute || *off_hour > 23 || *off_minute > 59) return std::nullopt;
    offset_minutes = sign * (*off_hour * 60 + *off_minute);
  }
  if (at != text.size() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*year},
                                        std::chrono::month{static_cast<unsigned>(*month)},
                                        std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  const int64_t days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  const int64_t seconds =
      days * 86400 + *hour * 3600 + *minute * 60 + *second - int64_t{offset_minutes} * 60;
  return seconds * 1'000'000 + micros;
}

std::string formatRfc3339(int64_t unix_seconds) {
  using namespace std::chrono;
  const int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  const int64_t rest = unix_seconds - days * 86400;
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[96];
  const int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ",
                              static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                              static_cast<unsigned>(ymd.day()), static_cast<int>(rest / 3600),
                              static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return std::string(buf, static_cast<size_t>(n));
}

std::string maskSecret(std::string_view secret) {
  if (secret.empty()) return "";
  if (secret.size() < kMaskMinLength) return std::string(kMaskPrefix);
  return std::string(kMaskPrefix) + std::string(secret.substr(secret.size() - kMaskVisible));
}

std::string maskSecretSql(std::string_view column) {
  const std::string c(column);
  const std::string prefix(kMaskPrefix);
  return "CASE WHEN " + c + " = '' THEN '' WHEN length(" + c + ") < " +
         std::to_string(kMaskMinLength) + " THEN '" + prefix + "' ELSE '" + prefix +
         "' || right(" + c + ", " + std::to_string(kMaskVisible) + ") END";
}

bool looksMasked(std::string_view value) { return value.starts_with(kMaskPrefix); }

std::string formatNumber(double value) {
  char buf[64];
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) <= 9007199254740992.0) {
    const auto r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
    return std::string(buf, r.ptr);
  }
  const auto r = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, r.ptr);
}

}  // namespace llmproxy::common
