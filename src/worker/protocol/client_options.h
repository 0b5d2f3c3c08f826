// What a response converter needs to know about the client it answers.
#pragma once

#include <cstdint>
#include <string>

namespace llmproxy::worker::protocol {

struct ClientOptions {
  std::string model;        // the model name the client asked for: written on every body/event
  std::string fallback_id;  // id base when the provider gives none (say, the request id)
  int64_t created = 0;      // unix seconds: chat `created`, Responses `created_at`
  bool include_usage = false;  // chat streams: the client asked for the usage chunk
};

}  // namespace llmproxy::worker::protocol
