#include "worker/http/request_buffers.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::worker {
namespace {

Request finishedRequest() {
  Request req;
  req.target = "/v1/chat/completions?api-version=2024-10-21";
  req.headers.emplace_back("content-type", "application/json; charset=utf-8");
  req.headers.emplace_back("x-a-rather-long-header-name", "short");
  req.body = std::string(1500, 'b');
  return req;
}

TEST(RequestBuffers, LentStringsAreEmpty) {
  RequestBuffers buffers;
  Request first = finishedRequest();
  buffers.keep(first);
  Request next;
  buffers.lend(next);
  EXPECT_TRUE(next.headers.empty());
  EXPECT_TRUE(next.target.empty());
  EXPECT_TRUE(next.body.empty());
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(buffers.spareString().empty()) << i;
}

TEST(RequestBuffers, TheNextRequestGetsTheLastOnesBuffers) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "nothing is kept under AddressSanitizer";
#endif
  RequestBuffers buffers;
  Request first = finishedRequest();
  const char* body_bytes = first.body.data();
  buffers.keep(first);
  Request next;
  buffers.lend(next);
  EXPECT_EQ(next.body.data(), body_bytes);  // the same buffer, not a new one
  EXPECT_GE(next.body.capacity(), 1500u);
  EXPECT_GE(next.target.capacity(), 43u);
  EXPECT_GE(next.headers.capacity(), 2u);
  // The header names and values longer than the inline 15 bytes: the content type's value and
  // the long name ("content-type" and "short" live inside their std::string).
  int heap = 0;
  for (int i = 0; i < 4; ++i)
    if (buffers.spareString().capacity() > std::string().capacity()) ++heap;
  EXPECT_EQ(heap, 2);
}

TEST(RequestBuffers, LargeBuffersAreFreedNotKept) {
  RequestBuffers buffers;
  Request big;
  big.body = std::string(RequestBuffers::kMaxKeptBody + 1, 'b');
  big.target = std::string(RequestBuffers::kMaxKeptString + 1, 't');
  for (size_t i = 0; i < RequestBuffers::kMaxKeptStrings + 10; ++i)
    big.headers.emplace_back(std::string(100, 'n'),
                             std::string(RequestBuffers::kMaxKeptString + 1, 'v'));
  buffers.keep(big);
  Request next;
  buffers.lend(next);
  EXPECT_LE(next.body.capacity(), RequestBuffers::kMaxKeptBody);
  EXPECT_LE(next.target.capacity(), RequestBuffers::kMaxKeptString);
  // Only the names fit, and only kMaxKeptStrings of them.
  size_t kept = 0;
  for (size_t i = 0; i < 2 * RequestBuffers::kMaxKeptStrings + 20; ++i) {
    std::string s = buffers.spareString();
    EXPECT_LE(s.capacity(), RequestBuffers::kMaxKeptString);
    if (s.capacity() > std::string().capacity()) ++kept;
  }
  EXPECT_LE(kept, RequestBuffers::kMaxKeptStrings);
}

}  // namespace
}  // namespace llmproxy::worker
