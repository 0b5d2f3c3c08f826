// The output batch: pieces in order, own bytes merged, numbers written without snprintf,
// local bodies moved in, relayed slices referenced.
#include "worker/http/output_batch.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace llmproxy::worker {
namespace {

std::string bytesOf(const OutputBatch& b) {
  std::string out;
  b.forEachPiece([&out](const char* data, size_t len) { out.append(data, len); });
  return out;
}

TEST(OutputBatch, OwnBytesMergeIntoOnePiece) {
  OutputBatch b;
  EXPECT_TRUE(b.empty());
  b.append("HTTP/1.1 ");
  b.appendDecimal(200);
  b.append(" OK\r\n");
  EXPECT_EQ(b.pieceCount(), 1u);
  EXPECT_EQ(bytesOf(b), "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(b.size(), 17u);
}

TEST(OutputBatch, Numbers) {
  OutputBatch b;
  b.appendDecimal(0);
  b.append(",");
  b.appendDecimal(18446744073709551615ull);
  b.append(",");
  b.appendHex(0);
  b.append(",");
  b.appendHex(0x10);
  b.append(",");
  b.appendHex(0xfff);
  b.append(",");
  b.appendHex(65536);
  b.append(",");
  b.appendHex(0xffffffffffffffffull);
  EXPECT_EQ(bytesOf(b), "0,18446744073709551615,0,10,fff,10000,ffffffffffffffff");
}

TEST(OutputBatch, SharedSlicesAreReferencedAndKeptAlive) {
  OutputBatch b;
  auto buffer = std::make_shared<std::string>("payload");
  const char* data = buffer->data();
  b.append("a");
  b.appendShared(buffer, data, buffer->size());
  b.append("b");
  buffer.reset();  // the batch's reference keeps the bytes
  EXPECT_EQ(b.pieceCount(), 3u);
  EXPECT_EQ(bytesOf(b), "apayloadb");
  bool referenced = false;
  b.forEachPiece([&](const char* d, size_t) { referenced |= d == data; });
  EXPECT_TRUE(referenced);
}

TEST(OutputBatch, BodiesAreMovedIn) {
  OutputBatch b;
  std::string body(4096, 'z');
  const char* data = body.data();
  b.append("head");
  b.appendBody(std::move(body));
  b.appendBody(std::string("tiny"));  // short strings live inside the string object
  bool moved = false;
  b.forEachPiece([&](const char* d, size_t len) { moved |= d == data && len == 4096; });
  EXPECT_TRUE(moved);
  EXPECT_EQ(bytesOf(b), "head" + std::string(4096, 'z') + "tiny");
  EXPECT_EQ(b.size(), 4u + 4096u + 4u);
}

TEST(OutputBatch, EmptyPiecesAreSkipped) {
  OutputBatch b;
  b.append("");
  b.appendBody(std::string());
  b.appendShared(nullptr, nullptr, 0);
  EXPECT_TRUE(b.empty());
}

TEST(OutputBatch, ClearAndSwap) {
  OutputBatch a;
  OutputBatch b;
  auto buffer = std::make_shared<std::string>("x");
  a.append("one");
  a.appendShared(buffer, buffer->data(), 1);
  a.swap(b);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(bytesOf(b), "onex");
  EXPECT_EQ(buffer.use_count(), 2);
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(buffer.use_count(), 1);
  b.append("two");
  EXPECT_EQ(bytesOf(b), "two");
}

}  // namespace
}  // namespace llmproxy::worker
