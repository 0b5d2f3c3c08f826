// OutputBatch: pieces in order, own bytes merged into as few pieces as possible.
#include "worker/http/output_batch.h"

#include <utility>

namespace llmproxy::worker {
namespace {

// A batch that once held a large head keeps no more than this much spare buffer afterwards.
constexpr size_t kKeptOwnCapacity = 4 * 1024;

}  // namespace

void OutputBatch::ownGrew(size_t from) {
  const size_t n = own_.size() - from;
  size_ += n;
  // Own bytes are only ever appended, so a trailing Own piece always ends at own_.size().
  if (!pieces_.empty() && pieces_.back().kind == Kind::Own) {
    pieces_.back().len += n;
    return;
  }
  pieces_.push_back({Kind::Own, from, nullptr, n});
}

void OutputBatch::append(std::string_view bytes) {
  if (bytes.empty()) return;
  const size_t from = own_.size();
  own_.append(bytes);
  ownGrew(from);
}

void OutputBatch::appendDecimal(uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[sizeof(digits) - 1 - n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  append(std::string_view(digits + sizeof(digits) - n, n));
}

void OutputBatch::appendHex(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char digits[16];
  size_t n = 0;
  do {
    digits[sizeof(digits) - 1 - n++] = kDigits[value & 0xf];
    value >>= 4;
  } while (value != 0);
  append(std::string_view(digits + sizeof(digits) - n, n));
}

void OutputBatch::appendShared(std::shared_ptr<const void> owner, const char* data, size_t len) {
  if (len == 0) return;
  owners_.push_back(std::move(owner));
  pieces_.push_back({Kind::Shared, 0, data, len});
  size_ += len;
}

void OutputBatch::appendBody(std::string&& body) {
  if (body.empty()) return;
  const size_t len = body.size();
  bodies_.push_back(std::move(body));
  pieces_.push_back({Kind::Body, bodies_.size() - 1, nullptr, len});
  size_ += len;
}

void OutputBatch::clear() {
  own_.clear();
  if (own_.capacity() > kKeptOwnCapacity) std::string().swap(own_);
  bodies_.clear();
  owners_.clear();
  pieces_.clear();
  size_ = 0;
}

void OutputBatch::swap(OutputBatch& other) noexcept {
  own_.swap(other.own_);
  bodies_.swap(other.bodies_);
  owners_.swap(other.owners_);
  pieces_.swap(other.pieces_);
  std::swap(size_, other.size_);
}

}  // namespace llmproxy::worker
