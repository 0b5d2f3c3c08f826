// The bytes queued for one write to a client, in order. Small pieces the proxy makes (heads,
// chunk framing) are built straight into the batch's own buffer; relayed body slices are
// referenced, their read buffer kept alive by the batch, never copied; local bodies are moved
// in. Cleared batches keep their capacity, so a connection in its steady state allocates
// nothing per response or per chunk. Worker-loop-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llmproxy::worker {

class OutputBatch {
 public:
  bool empty() const { return pieces_.empty(); }
  // Bytes queued.
  size_t size() const { return size_; }

  // Copies `bytes` into the batch's own buffer.
  void append(std::string_view bytes);
  void appendDecimal(uint64_t value);
  // Lower-case hexadecimal, no leading zeros ("0" for 0): an HTTP chunk size.
  void appendHex(uint64_t value);
  // References `len` bytes at `data`, valid while `owner` lives; the batch holds `owner` until
  // the write is done.
  void appendShared(std::shared_ptr<const void> owner, const char* data, size_t len);
  // Takes `body` as it is (no copy).
  void appendBody(std::string&& body);

  // Calls `visit(data, len)` for every piece, in order. Pointers are valid until the next change.
  template <class Visit>
  void forEachPiece(Visit&& visit) const {
    for (const Piece& p : pieces_) {
      switch (p.kind) {
        case Kind::Own: visit(own_.data() + p.at, p.len); break;
        case Kind::Body: visit(bodies_[p.at].data(), p.len); break;
        case Kind::Shared: visit(p.shared, p.len); break;
      }
    }
  }
  size_t pieceCount() const { return pieces_.size(); }

  // Empties the batch (owners released, bodies freed) and keeps the capacity for the next one.
  void clear();
  void swap(OutputBatch& other) noexcept;

 private:
  enum class Kind : uint8_t { Own, Body, Shared };
  // Own and Body pieces are resolved to pointers only when visited: own_ and bodies_ may move
  // while the batch grows.
  struct Piece {
    Kind kind;
    size_t at;              // Own: offset into own_; Body: index into bodies_
    const char* shared;     // Shared: the bytes
    size_t len;
  };
  // Accounts for the own bytes appended from offset `from` on.
  void ownGrew(size_t from);

  std::string own_;
  std::vector<std::string> bodies_;
  std::vector<std::shared_ptr<const void>> owners_;
  std::vector<Piece> pieces_;
  size_t size_ = 0;
};

}  // namespace llmproxy::worker
