// The response writer: heads for HTTP/1.0 and 1.1, the keep-alive decision, Content-Length vs
// chunked, chunk framing, HEAD, and that local and relayed answers share their common headers.
#include "worker/http/response_writer.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmproxy::worker {
namespace {

class FakeSink final : public ResponseSink {
 public:
  bool keep_alive_allowed = true;  // false: draining, or keepalive_requests reached
  int heads = 0;
  int queued = 0;
  int ended = 0;
  int aborted = 0;
  bool onResponseHead() override {
    ++heads;
    return keep_alive_allowed;
  }
  void onOutputQueued() override { ++queued; }
  void onResponseEnded() override { ++ended; }
  void onResponseAborted() override { ++aborted; }
};

class FakeExchange : public RequestHandler {
 public:
  void onRequestHead() override {}
  void onRequestBody() override {}
  void onRequestError(const common::Error&) override {}
  void onResponseSent() override {}
  void onClientGone() override {}
  void onDrained() override {}
};

// A body slice in its own buffer, as the upstream client hands them out.
BodySlice sliceOf(const std::string& bytes) {
  auto buffer = std::make_shared<std::string>(bytes);
  return {buffer, buffer->data(), buffer->size()};
}

struct Parsed {
  std::string status_line;
  std::map<std::string, std::string> headers;  // names as written; duplicates would be lost
  int header_lines = 0;
  std::string body;
};

Parsed parse(const std::string& out) {
  Parsed p;
  const size_t end = out.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos) << out;
  if (end == std::string::npos) return p;
  size_t pos = out.find("\r\n");
  p.status_line = out.substr(0, pos);
  while (pos < end) {
    const size_t next = out.find("\r\n", pos + 2);
    const std::string line = out.substr(pos + 2, next - pos - 2);
    const size_t colon = line.find(": ");
    p.headers[line.substr(0, colon)] = line.substr(colon + 2);
    ++p.header_lines;
    pos = next;
  }
  p.body = out.substr(end + 4);
  return p;
}

class ResponseWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ex_.request.method = "POST";
    ex_.request.target = "/v1/chat/completions";
    ex_.request_id = "rid-1";
    ex_.body_complete = true;
    writer_.bind(&ex_);
  }
  void http10(bool keep_alive) {
    ex_.request.http_minor = 0;
    ex_.request.keep_alive = keep_alive;
  }
  // Everything queued so far, as the client would receive it; empties the batch.
  std::string take() {
    std::string out;
    writer_.pending().forEachPiece([&out](const char* data, size_t len) { out.append(data, len); });
    writer_.pending().clear();
    return out;
  }
  // A relayed head as stage 80 writes it: provider headers, ours, no Content-Type of ours.
  std::string relayed(int status, std::optional<uint64_t> length, const std::string& body) {
    writer_.beginHead(status, length);
    writer_.header("content-type", "application/json");
    writer_.header("x-llmproxy-provider", "a");
    writer_.header("x-llmproxy-overhead-us", uint64_t{42});
    writer_.endHead();
    if (!body.empty()) writer_.body(sliceOf(body));
    writer_.end();
    return take();
  }

  FakeSink sink_;
  FakeExchange ex_;
  ResponseWriter writer_{sink_};
};

TEST_F(ResponseWriterTest, LocalAnswerHttp11) {
  writer_.send(Response::json(200, "{\"ok\":true}"));
  const std::string out = take();
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: llmproxy\r\nx-request-id: rid-1\r\n"
            "Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
  EXPECT_FALSE(writer_.closesConnection());
  EXPECT_EQ(sink_.heads, 1);
  EXPECT_EQ(sink_.ended, 1);
  EXPECT_EQ(ex_.status, 200);
  EXPECT_EQ(ex_.bytes_out, out.size());
}

TEST_F(ResponseWriterTest, LocalAnswerKeepsCallerHeaders) {
  Response r = Response::error({common::ErrorKind::MethodNotAllowed, "no", 0});
  r.headers.emplace_back("Allow", "GET, POST");
  writer_.send(std::move(r));
  Parsed p = parse(take());
  EXPECT_EQ(p.status_line, "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(p.headers["Allow"], "GET, POST");
  EXPECT_EQ(p.headers["Content-Length"], std::to_string(p.body.size()));
  EXPECT_EQ(ex_.status, 405);
}

TEST_F(ResponseWriterTest, Http10KeepAliveIsAcknowledged) {
  http10(true);
  writer_.send(Response::json(200, "{}"));
  Parsed local = parse(take());
  EXPECT_EQ(local.headers["Connection"], "keep-alive");
  EXPECT_FALSE(writer_.closesConnection());

  writer_.bind(&ex_);
  Parsed relay = parse(relayed(200, 2, "{}"));
  EXPECT_EQ(relay.headers["Connection"], "keep-alive");
  EXPECT_EQ(relay.headers["Content-Length"], "2");
  EXPECT_EQ(relay.body, "{}");
  EXPECT_FALSE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, Http10WithoutKeepAliveCloses) {
  http10(false);
  writer_.send(Response::json(200, "{}"));
  Parsed p = parse(take());
  EXPECT_EQ(p.headers["Connection"], "close");
  EXPECT_TRUE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, Http11KeepAliveSaysNothingAndCloseSaysClose) {
  writer_.send(Response::json(200, "{}"));
  EXPECT_EQ(parse(take()).headers.count("Connection"), 0u);

  ex_.request.keep_alive = false;  // "Connection: close" from the client
  writer_.bind(&ex_);
  writer_.send(Response::json(200, "{}"));
  EXPECT_EQ(parse(take()).headers["Connection"], "close");
  EXPECT_TRUE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, DrainingOrRequestLimitCloses) {
  sink_.keep_alive_allowed = false;
  relayed(200, 2, "{}");
  EXPECT_TRUE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, UnreadBodyCloses) {
  ex_.request.has_body = true;
  ex_.request.content_length = 10;
  ex_.body_complete = false;  // answered before the body was read (e.g. 401)
  writer_.send(Response::json(401, "{}"));
  EXPECT_EQ(parse(take()).headers["Connection"], "close");
  EXPECT_TRUE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, CloseIsStickyAcrossAnswers) {
  writer_.closeAfterResponse();
  writer_.send(Response::json(200, "{}"));
  EXPECT_EQ(parse(take()).headers["Connection"], "close");
  writer_.bind(&ex_);
  EXPECT_TRUE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, Http11UnknownLengthIsChunked) {
  writer_.beginHead(200, std::nullopt);
  writer_.header("content-type", "text/event-stream");
  writer_.endHead();
  EXPECT_TRUE(writer_.chunked());
  writer_.body(sliceOf("data: a\n\n"));
  writer_.body(std::string_view("data: b\n\n"));
  writer_.end();
  Parsed p = parse(take());
  EXPECT_EQ(p.headers["Transfer-Encoding"], "chunked");
  EXPECT_EQ(p.headers.count("Content-Length"), 0u);
  EXPECT_EQ(p.body, "9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\n0\r\n\r\n");
  EXPECT_FALSE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, Http10UnknownLengthEndsWithTheConnection) {
  http10(true);
  writer_.beginHead(200, std::nullopt);
  writer_.endHead();
  EXPECT_FALSE(writer_.chunked());
  writer_.body(sliceOf("data: a\n\n"));
  writer_.end();
  Parsed p = parse(take());
  EXPECT_EQ(p.headers.count("Transfer-Encoding"), 0u);
  EXPECT_EQ(p.headers["Connection"], "close");
  EXPECT_EQ(p.body, "data: a\n\n");
  EXPECT_TRUE(writer_.closesConnection());
}

TEST_F(ResponseWriterTest, ChunkSizesInHex) {
  writer_.beginHead(200, std::nullopt);
  writer_.endHead();
  take();
  const std::vector<std::pair<size_t, std::string>> cases = {
      {1, "1"}, {15, "f"}, {0x10, "10"}, {0xff, "ff"}, {0xfff, "fff"}, {0x1000, "1000"},
      {64 * 1024, "10000"}, {100000, "186a0"}};
  for (const auto& [size, hex] : cases) {
    const std::string payload(size, 'x');
    writer_.body(sliceOf(payload));
    EXPECT_EQ(take(), hex + "\r\n" + payload + "\r\n") << size;
    writer_.body(std::string_view(payload));
    EXPECT_EQ(take(), hex + "\r\n" + payload + "\r\n") << size;
  }
  writer_.body(sliceOf(""));  // empty pieces are not framed: a 0 chunk would end the body
  EXPECT_EQ(take(), "");
  writer_.end();
  EXPECT_EQ(take(), "0\r\n\r\n");
}

TEST_F(ResponseWriterTest, HeadAnswersCarryLengthButNoBody) {
  ex_.request.method = "HEAD";
  writer_.send(Response::json(200, "{\"a\":1}"));
  const std::string out = take();
  Parsed p = parse(out);
  EXPECT_EQ(p.headers["Content-Length"], "7");
  EXPECT_EQ(p.body, "");
  EXPECT_EQ(ex_.bytes_out, out.size());

  writer_.bind(&ex_);
  writer_.beginHead(200, std::nullopt);
  writer_.endHead();
  writer_.body(sliceOf("ignored"));
  writer_.end();
  Parsed streamed = parse(take());
  EXPECT_EQ(streamed.headers["Transfer-Encoding"], "chunked");
  EXPECT_EQ(streamed.body, "") << "no chunks, not even the terminating one, for HEAD";
  EXPECT_EQ(sink_.ended, 2);
}

TEST_F(ResponseWriterTest, ServerAndRequestIdOnEveryAnswer) {
  std::vector<std::string> answers;
  writer_.send(Response::json(200, "{}"));
  answers.push_back(take());
  writer_.bind(&ex_);
  writer_.send(Response::error({common::ErrorKind::RateLimited, "slow down", 0}));
  answers.push_back(take());
  writer_.bind(&ex_);
  answers.push_back(relayed(200, 2, "{}"));
  writer_.bind(&ex_);
  answers.push_back(relayed(502, std::nullopt, "upstream says no"));
  for (const std::string& a : answers) {
    Parsed p = parse(a);
    EXPECT_EQ(p.headers["Server"], "llmproxy") << a;
    EXPECT_EQ(p.headers["x-request-id"], "rid-1") << a;
  }
}

// Local and relayed answers of the same length, for each kind of client: the headers the writer
// adds are the same, byte for byte.
TEST_F(ResponseWriterTest, LocalAndRelayedAnswersShareTheirCommonHeaders) {
  struct Client {
    uint8_t minor;
    bool keep_alive;
    bool allowed;
  };
  for (const Client c : {Client{1, true, true}, Client{1, false, true}, Client{0, true, true},
                         Client{0, false, true}, Client{1, true, false}}) {
    FakeSink sink;
    sink.keep_alive_allowed = c.allowed;
    FakeExchange ex;
    ex.request.method = "POST";
    ex.request.http_minor = c.minor;
    ex.request.keep_alive = c.keep_alive;
    ex.request_id = "rid-7";
    ex.body_complete = true;

    ResponseWriter local_writer(sink);
    local_writer.bind(&ex);
    local_writer.send(Response::json(200, "{}"));
    std::string local_bytes;
    local_writer.pending().forEachPiece(
        [&](const char* d, size_t n) { local_bytes.append(d, n); });

    ResponseWriter relay_writer(sink);
    relay_writer.bind(&ex);
    relay_writer.beginHead(200, 2);
    relay_writer.header("content-type", "application/json");
    relay_writer.endHead();
    relay_writer.body(sliceOf("{}"));
    relay_writer.end();
    std::string relay_bytes;
    relay_writer.pending().forEachPiece(
        [&](const char* d, size_t n) { relay_bytes.append(d, n); });

    Parsed local = parse(local_bytes);
    Parsed relay = parse(relay_bytes);
    EXPECT_EQ(local.status_line, relay.status_line);
    for (const char* name : {"Server", "x-request-id", "Content-Length", "Connection"})
      EXPECT_EQ(local.headers[name], relay.headers[name])
          << name << " minor=" << int{c.minor} << " keep_alive=" << c.keep_alive;
    EXPECT_EQ(local_writer.closesConnection(), relay_writer.closesConnection());
    EXPECT_EQ(local.body, relay.body);
  }
}

TEST_F(ResponseWriterTest, RelayedSlicesAreReferencedNotCopied) {
  writer_.beginHead(200, 5);
  writer_.endHead();
  auto buffer = std::make_shared<std::string>("hello");
  writer_.body(BodySlice{buffer, buffer->data(), buffer->size()});
  EXPECT_EQ(buffer.use_count(), 2) << "the batch keeps the read buffer alive";
  bool seen = false;
  writer_.pending().forEachPiece([&](const char* data, size_t len) {
    if (data == buffer->data() && len == 5) seen = true;
  });
  EXPECT_TRUE(seen) << "the slice's own bytes are written, not a copy";
  writer_.pending().clear();
  EXPECT_EQ(buffer.use_count(), 1) << "released once written";
}

TEST_F(ResponseWriterTest, FlushIsAskedOncePerBatch) {
  writer_.beginHead(200, std::nullopt);
  writer_.header("a", "b");
  writer_.endHead();
  writer_.body(sliceOf("x"));
  writer_.body(sliceOf("y"));
  EXPECT_EQ(sink_.queued, 1);
  take();  // the connection flushed
  writer_.body(sliceOf("z"));
  EXPECT_EQ(sink_.queued, 2);
}

TEST_F(ResponseWriterTest, BytesOutCountsHeadAndBodyNotFraming) {
  writer_.beginHead(200, std::nullopt);
  writer_.endHead();
  const size_t head = take().size();
  writer_.body(sliceOf("abc"));
  writer_.end();
  take();
  EXPECT_EQ(ex_.bytes_out, head + 3);
}

TEST_F(ResponseWriterTest, AbortAndShutDown) {
  writer_.beginHead(200, std::nullopt);
  writer_.endHead();
  writer_.abort();
  EXPECT_EQ(sink_.aborted, 1);
  take();
  writer_.shutDown();
  writer_.body(sliceOf("late"));
  writer_.end();
  EXPECT_TRUE(writer_.pending().empty());
  EXPECT_EQ(sink_.ended, 0);
}

TEST_F(ResponseWriterTest, UnboundWriterDropsWrites) {
  writer_.bind(nullptr);
  writer_.send(Response::json(200, "{}"));
  EXPECT_TRUE(writer_.pending().empty());
  EXPECT_EQ(sink_.heads, 0);
}

TEST(StatusReason, KnownAndUnknown) {
  EXPECT_EQ(statusReason(200), "OK");
  EXPECT_EQ(statusReason(431), "Request Header Fields Too Large");
  EXPECT_EQ(statusReason(599), "Unknown");
}

}  // namespace
}  // namespace llmproxy::worker
