// What the exporters send about one finished request: built once by stage 90 from the
// exchange (only for an exported exchange), shared by both exporters' queues, never changed.
// Times are unix nanoseconds. Holds no secret: no key, no header but the User-Agent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worker/tracing/trace_context.h"

namespace llmproxy::worker::tracing {

struct AttemptRecord {
  SpanId span = 0;
  std::string provider;        // provider id
  std::string system;          // gen_ai.system of the provider's type
  std::string model;           // model name sent to the provider
  std::string server_address;  // provider host
  uint16_t server_port = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int status = 0;              // 0 = no response
  std::string error;           // "" = succeeded
};

struct TraceRecord {
  TraceId trace_id;
  SpanId span = 0;
  SpanId parent = 0;
  std::string tracestate;
  bool otlp = false;      // for the OTLP exporter
  bool langfuse = false;  // for Langfuse
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t first_token_ns = 0;  // 0 = no body byte reached the client

  std::string request_id;
  std::string method;
  std::string route;           // the endpoint's canonical path
  std::string user_agent;
  std::string client_address;
  int status = 0;

  std::string operation;       // gen_ai.operation.name: chat, text_completion, embeddings, ...
  std::string request_model;   // what the client asked for (prefix stripped)
  std::string response_model;  // what the answering provider was asked for
  std::string provider;        // answering provider id
  std::string system;          // its gen_ai.system
  std::string key_name;
  std::string client_name;     // from the User-Agent (client_name.h)
  std::string client_protocol;
  std::string provider_protocol;
  bool stream = false;
  bool has_usage = false;
  uint64_t input_tokens = 0;
  uint64_t output_tokens = 0;
  std::string finish_reason;
  std::string error_type;      // error kind name; "" = none
  std::string error_message;
  std::vector<AttemptRecord> attempts;
  std::string input;           // captured prompt (capped, redacted); "" = not captured
  std::string output;          // captured completion (capped, redacted)
};

}  // namespace llmproxy::worker::tracing
