// What a request writer hands back: the provider's body and what of the client's did not fit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace llmproxy::worker::protocol {

struct WrittenRequest {
  std::string body;  // the provider's JSON body, complete

  // The client's top-level members that were not sent, each name once, as the client spelled
  // them (views into the request body or string constants): members the provider's protocol
  // has no place for, and those a rule of the writer set aside (anthropic_request_writer.h).
  // For the log line and the docs' list of dropped fields.
  std::vector<std::string_view> dropped;

  // Chat writer, streaming only: the client's own stream_options.include_usage. The writer
  // always asks the provider for the usage chunk (usage must be exact); when this is false
  // the response side strips that chunk before the client sees it.
  bool client_include_usage = false;

  // Lists `name` in `dropped` unless it is there already.
  void drop(std::string_view name) {
    for (std::string_view d : dropped)
      if (d == name) return;
    dropped.push_back(name);
  }
};

}  // namespace llmproxy::worker::protocol
