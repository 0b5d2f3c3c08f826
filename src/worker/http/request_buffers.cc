#include "worker/http/request_buffers.h"

namespace llmproxy::worker {

namespace {

#ifdef __SANITIZE_ADDRESS__
constexpr bool kKeep = false;
#else
constexpr bool kKeep = true;
#endif

// Empties `from` into `into` when its buffer is worth keeping and small enough.
void keepIfSmall(std::string& from, std::string& into, size_t max_capacity) {
  if (!kKeep || from.capacity() > max_capacity || from.capacity() <= into.capacity()) return;
  from.clear();
  into.swap(from);
}

}  // namespace

void RequestBuffers::lend(Request& req) {
  req.headers.swap(headers_);
  req.target.swap(target_);
  req.body.swap(body_);
}

void RequestBuffers::keep(Request& req) {
  for (auto& [name, value] : req.headers) {
    keepString(name);
    keepString(value);
  }
  req.headers.clear();
  headers_.swap(req.headers);
  keepIfSmall(req.target, target_, kMaxKeptString);
  keepIfSmall(req.body, body_, kMaxKeptBody);
}

std::string RequestBuffers::spareString() {
  if (strings_.empty()) return {};
  std::string s = std::move(strings_.back());
  strings_.pop_back();
  return s;
}

void RequestBuffers::keepString(std::string& s) {
  // Only buffers on the heap: a short string lives inside the std::string itself.
  if (!kKeep || s.capacity() <= std::string().capacity() || s.capacity() > kMaxKeptString ||
      strings_.size() >= kMaxKeptStrings)
    return;
  if (strings_.capacity() == 0) strings_.reserve(kMaxKeptStrings);
  s.clear();
  strings_.push_back(std::move(s));
}

}  // namespace llmproxy::worker
