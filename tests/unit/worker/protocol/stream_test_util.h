// Shared by the stream converter tests: recorded upstream streams, the converters behind one
// face, and feeding a stream event by event or as raw bytes cut anywhere through SseScanner.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/stream_grammar.h"
#include "worker/protocol/stream_converter.h"
#include "worker/sse/sse_scanner.h"

namespace llmproxy::worker::protocol::test {

inline std::string dataPath(std::string_view relative) {
  return std::string(LLMPROXY_TEST_DATA_DIR) + "/protocol/" + std::string(relative);
}

inline std::string readData(std::string_view relative) {
  std::ifstream in(dataPath(relative), std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing " << dataPath(relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

enum class Upstream { Chat, Anthropic };
enum class Client { Anthropic, Chat, ChatWithUsage, Responses };

inline const char* clientName(Client c) {
  switch (c) {
    case Client::Anthropic:
      return "anthropic";
    case Client::Chat:
      return "chat";
    case Client::ChatWithUsage:
      return "chat_usage";
    case Client::Responses:
      return "responses";
  }
  return "?";
}

inline ClientOptions testClient(bool include_usage = false) {
  return ClientOptions{"client-model", "req-1", 1700000000, include_usage};
}

// Any converter, through std::function (test-only indirection).
struct AnyConverter {
  std::function<void(std::string_view, std::string&)> event;
  std::function<void(std::string&)> finish;
  std::function<void(const common::Error&, std::string&)> fail;
  std::function<TokenUsage()> usage;
  std::function<uint32_t()> dropped;
  std::shared_ptr<void> keep;
};

template <typename C>
AnyConverter wrap(ClientOptions client) {
  auto c = std::make_shared<C>(std::move(client));
  AnyConverter any;
  any.event = [c](std::string_view data, std::string& out) { c->event(data, out); };
  any.finish = [c](std::string& out) { c->finish(out); };
  any.fail = [c](const common::Error& e, std::string& out) { c->fail(e, out); };
  any.usage = [c] { return c->usage(); };
  any.dropped = [c] { return c->dropped(); };
  any.keep = c;
  return any;
}

inline AnyConverter makeConverter(Upstream upstream, Client client) {
  if (upstream == Upstream::Chat) {
    if (client == Client::Anthropic) return wrap<ChatToAnthropicStream>(testClient());
    return wrap<ChatToResponsesStream>(testClient());
  }
  if (client == Client::Responses) return wrap<AnthropicToResponsesStream>(testClient());
  return wrap<AnthropicToChatStream>(testClient(client == Client::ChatWithUsage));
}

// The grammar check of the client's protocol.
inline testing::StreamTranscript check(Client client, std::string_view wire) {
  switch (client) {
    case Client::Anthropic:
      return testing::checkAnthropicStream(wire, "client-model");
    case Client::Chat:
      return testing::checkChatStream(wire, "client-model", false);
    case Client::ChatWithUsage:
      return testing::checkChatStream(wire, "client-model", true);
    case Client::Responses:
      return testing::checkResponsesStream(wire, "client-model");
  }
  return {};
}

// The event data of a recorded stream, in order.
inline std::vector<std::string> eventsOf(std::string_view wire) {
  std::vector<std::string> data;
  for (const testing::WireEvent& e : testing::splitSse(wire)) data.push_back(e.data);
  return data;
}

// Feeds `wire` through an SseScanner cut at `cuts` (ascending offsets), each slice its own
// heap copy; every event goes to the converter; finish() at the end.
inline std::string convertBytes(AnyConverter& converter, std::string_view wire,
                                const std::vector<size_t>& cuts) {
  std::string out;
  SseScanner scanner([&](const SseEvent& e) { converter.event(e.data, out); });
  size_t at = 0;
  auto feed = [&](size_t to) {
    std::string slice(wire.substr(at, to - at));
    EXPECT_TRUE(scanner.feed(slice).has_value());
    at = to;
  };
  for (size_t cut : cuts) feed(cut);
  feed(wire.size());
  converter.finish(out);
  return out;
}

inline std::string convertWhole(Upstream upstream, Client client, std::string_view wire) {
  AnyConverter converter = makeConverter(upstream, client);
  return convertBytes(converter, wire, {});
}

}  // namespace llmproxy::worker::protocol::test
