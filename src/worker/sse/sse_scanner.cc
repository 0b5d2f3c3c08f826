// Incremental SSE scanning, line by line, with a bounded carry-over between slices.
#include "worker/sse/sse_scanner.h"

#include <cstring>
#include <utility>

namespace llmproxy::worker {

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The next line ending ('\r' or '\n') of one slice. `find_first_of("\r\n")` costs a memchr
// over the two-character set per input byte; here each character is searched for with one
// memchr and its next position remembered, so every byte of the slice is looked at no more
// than once per character, whatever the mix of endings (a CR-only stream too).
class LineEnds {
 public:
  explicit LineEnds(std::string_view bytes) : bytes_(bytes) {}

  // Position of the first '\r' or '\n' at or after `from`, npos if none.
  size_t next(size_t from) {
    const size_t lf = nextOf('\n', lf_, from);
    const size_t cr = nextOf('\r', cr_, from);
    return lf < cr ? lf : cr;
  }

 private:
  static constexpr size_t kUnknown = std::string_view::npos - 1;

  size_t nextOf(char c, size_t& cached, size_t from) const {
    if (cached == std::string_view::npos) return cached;  // none left in the slice
    if (cached != kUnknown && cached >= from) return cached;
    const void* hit = std::memchr(bytes_.data() + from, c, bytes_.size() - from);
    cached = hit ? static_cast<size_t>(static_cast<const char*>(hit) - bytes_.data())
                 : std::string_view::npos;
    return cached;
  }

  std::string_view bytes_;
  size_t lf_ = kUnknown;
  size_t cr_ = kUnknown;
};

}  // namespace

SseScanner::SseScanner(OnEvent on_event, size_t max_event_bytes)
    : on_event_(std::move(on_event)), max_event_bytes_(max_event_bytes) {}

bool SseScanner::overCap(size_t extra) const {
  const size_t held = partial_.size() + data_.size() + type_.size();
  return held + extra > max_event_bytes_;
}

bool SseScanner::eventTooBig(size_t extra) const {
  return data_.size() + type_.size() + extra > max_event_bytes_;
}

common::Error SseScanner::overflow() const {
  return common::Error{common::ErrorKind::UpstreamProtocol,
                       "SSE event larger than " + std::to_string(max_event_bytes_) + " bytes", 0};
}

void SseScanner::noteData(SseFeedResult& result) {
  if (saw_data_) return;
  saw_data_ = true;
  result.first_data = true;
}

common::Result<SseFeedResult> SseScanner::feed(std::string_view bytes) {
  if (failed_) return std::unexpected(overflow());
  SseFeedResult result;
  const uint64_t base = offset_;
  size_t i = 0;

  if (skip_lf_ && !bytes.empty()) {
    skip_lf_ = false;
    if (bytes[0] == '\n') {
      i = 1;
      // The '\r' ended a blank line: the next event starts after the '\n'.
      if (event_begin_ == base) event_begin_ = base + 1;
    }
  }

  LineEnds line_ends(bytes);
  while (i < bytes.size()) {
    const size_t eol = line_ends.next(i);
    if (eol == std::string_view::npos) {
      // The line goes on in a later slice: keep it (unless it is a comment).
      std::string_view rest = bytes.substr(i);
      if (partial_.empty() && !partial_is_comment_ && rest.front() == ':') {
        partial_is_comment_ = true;
      }
      if (!partial_is_comment_) {
        if (overCap(rest.size())) {
          failed_ = true;
          return std::unexpected(overflow());
        }
        partial_.append(rest);
        if (partial_.starts_with("data:")) noteData(result);
      }
      break;
    }

    size_t next = eol + 1;
    if (bytes[eol] == '\r') {
      if (next < bytes.size()) {
        if (bytes[next] == '\n') ++next;
      } else {
        skip_lf_ = true;
      }
    }

    const uint64_t line_end = base + next;
    if (partial_is_comment_) {
      partial_is_comment_ = false;  // the rest of a comment line: nothing to do
      at_start_ = false;
    } else if (partial_.empty()) {
      onLine(bytes.substr(i, eol - i), true, line_end, result);
    } else {
      if (overCap(eol - i)) {
        failed_ = true;
        return std::unexpected(overflow());
      }
      partial_.append(bytes.substr(i, eol - i));
      onLine(partial_, false, line_end, result);
      partial_.clear();
    }
    if (failed_) return std::unexpected(overflow());
    i = next;
  }

  offset_ += bytes.size();
  // The slice goes away: an event still open keeps its own copy of the data.
  if (data_in_slice_) {
    if (overCap(data_view_.size())) {
      failed_ = true;
      return std::unexpected(overflow());
    }
    data_.assign(data_view_);
    data_view_ = {};
    data_in_slice_ = false;
  }
  return result;
}

void SseScanner::onLine(std::string_view line, bool in_slice, uint64_t line_end,
                        SseFeedResult& result) {
  if (at_start_) {
    at_start_ = false;
    if (line.starts_with(kBom)) line.remove_prefix(kBom.size());
  }

  if (line.empty()) {  // blank line: dispatch
    if (has_data_) {
      SseEvent event;
      event.type = type_;
      event.data = data_in_slice_ ? data_view_ : std::string_view(data_);
      event.begin = event_begin_;
      event.end = line_end;
      ++result.events;
      if (event.isDone()) {
        saw_done_ = true;
        result.done = true;
      }
      on_event_(event);
    }
    has_data_ = false;
    data_in_slice_ = false;
    data_view_ = {};
    data_.clear();
    type_.clear();
    event_begin_ = line_end;
    return;
  }
  if (line.front() == ':') return;  // comment

  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
  }

  if (field == "data") {
    noteData(result);
    if (!has_data_) {
      has_data_ = true;
      data_in_slice_ = in_slice;
      if (in_slice) {
        data_view_ = value;
        return;
      }
    } else {
      if (data_in_slice_) {
        data_.assign(data_view_);
        data_in_slice_ = false;
        data_view_ = {};
      }
      data_ += '\n';
    }
    if (eventTooBig(value.size())) {
      failed_ = true;
      return;
    }
    data_.append(value);
  } else if (field == "event") {
    if (eventTooBig(value.size())) {
      failed_ = true;
      return;
    }
    type_.assign(value);
  }
}

}  // namespace llmproxy::worker
