// Incremental Server-Sent Events scanner: fed the response body as it arrives, in slices cut
// anywhere, it reports each complete event's data without ever holding the whole stream.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/base/result.h"

namespace llmproxy::worker {

// One dispatched event (WHATWG HTML "event stream interpretation").
struct SseEvent {
  std::string_view type;  // the `event:` field; empty means "message"
  std::string_view data;  // the `data:` lines joined with '\n' (one leading space stripped)
  // Stream offsets (bytes since the first feed) of the event's first byte (its first line,
  // comments and `event:` lines included) and just past its terminating blank line: what a
  // relay would cut to drop the event from the client stream. One split-dependent case: when
  // a slice ends between the CR and the LF of the blank line's CRLF, the event is dispatched
  // at the CR (no waiting) and ends there; that LF then belongs to no event (dropping the
  // event leaves a lone LF, an empty line that dispatches nothing).
  uint64_t begin = 0;
  uint64_t end = 0;
  bool isDone() const { return data == "[DONE]"; }
};

// What one feed() saw.
struct SseFeedResult {
  bool first_data = false;  // the stream's first `data` field started in this slice (TTFT)
  bool done = false;        // a `data: [DONE]` event was dispatched in this slice
  uint32_t events = 0;      // events dispatched in this slice
};

// Owned by the exchange relaying one response; lives as long as the stream; worker-loop-only.
//
// Lines end with "\n", "\r\n" or "\r", split anywhere (a "\r" ending a slice and the "\n"
// starting the next one are one line ending). Comments (":...") and `id:`/`retry:` are
// skipped; a UTF-8 BOM at the very start is ignored; an event without any `data` line is not
// dispatched; an unterminated event at the end of the stream is never dispatched.
//
// Memory: an event whose lines and blank line arrive in one slice is reported straight from
// the slice (no copy). Otherwise the scanner keeps the partial line and the event's data so
// far, together capped by max_event_bytes: past it, feed() fails with UpstreamProtocol and
// the scanner stays failed (every later feed returns the same error). Comment lines are never
// buffered, whatever their length.
class SseScanner {
 public:
  static constexpr size_t kDefaultMaxEventBytes = 64 * 1024;

  // Called for every dispatched event, synchronously inside feed(); the views are valid only
  // during the call. The callback must not call feed() on the same scanner.
  using OnEvent = std::function<void(const SseEvent&)>;

  explicit SseScanner(OnEvent on_event, size_t max_event_bytes = kDefaultMaxEventBytes);

  common::Result<SseFeedResult> feed(std::string_view bytes);

  bool sawData() const { return saw_data_; }
  bool sawDone() const { return saw_done_; }
  uint64_t offset() const { return offset_; }  // bytes fed so far

 private:
  void onLine(std::string_view line, bool in_slice, uint64_t line_end, SseFeedResult& result);
  void noteData(SseFeedResult& result);
  bool overCap(size_t extra) const;      // partial line + event so far + extra > cap
  bool eventTooBig(size_t extra) const;  // event so far + extra > cap
  common::Error overflow() const;

  OnEvent on_event_;
  size_t max_event_bytes_;

  std::string partial_;              // the current line, when it started in an earlier slice
  bool partial_is_comment_ = false;  // its bytes are not kept
  bool skip_lf_ = false;             // the last slice ended with '\r': drop a leading '\n'
  bool at_start_ = true;             // no line seen yet (BOM check)

  bool has_data_ = false;       // the current event has a data line
  bool data_in_slice_ = false;  // ... and its data is data_view_, not data_
  std::string_view data_view_;  // valid only inside the feed() that set it
  std::string data_;
  std::string type_;
  uint64_t event_begin_ = 0;

  uint64_t offset_ = 0;
  bool saw_data_ = false;
  bool saw_done_ = false;
  bool failed_ = false;
};

}  // namespace llmproxy::worker
