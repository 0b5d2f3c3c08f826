// Errors in the client's shape (PROTOCOLS.md §5 before the first byte, §4 after it): one
// ClientError, built from our own error or from a provider's error body, written as an
// Anthropic or an OpenAI error body or stream event.
#pragma once

#include <string>
#include <string_view>

#include "common/base/result.h"

namespace llmproxy::worker::protocol {

struct ClientError {
  int status = 500;            // the HTTP status of the answer
  std::string anthropic_type;  // error.type for Anthropic clients ("overloaded_error", ...)
  std::string openai_type;     // error.type for OpenAI clients ("api_error", ...)
  std::string openai_code;     // error.code for OpenAI clients; empty writes null
  std::string message;
};

// Our own failure: status, OpenAI type and code from the error table (error.code wins when
// set), the Anthropic type from the kind; message = error.detail (or the kind's name).
ClientError clientError(const common::Error& error);

// A failure known only by its status (types from the status, as the §5 table says).
ClientError clientError(int status, std::string_view message);

// A provider's error answer, re-wrapped: the provider's message and status are kept; the body
// may be Anthropic's {"type":"error","error":{"type","message"}}, OpenAI's
// {"error":{"message","type","code"}} or anything else (then a message naming the status).
// The provider's own type is kept for its own family and mapped for the other one.
ClientError clientErrorFromProvider(int status, std::string_view body);

// Anthropic's error type for an HTTP status (529 -> overloaded_error, 504 -> timeout_error).
std::string_view anthropicErrorType(int status);

// {"type":"error","error":{"type":...,"message":...}}
std::string anthropicErrorJson(const ClientError& error);
// event: error\ndata: {"type":"error","error":{...}}\n\n
std::string anthropicErrorEvent(const ClientError& error);
// {"error":{"message":...,"type":...,"param":null,"code":...}} (chat and Responses clients)
std::string openAIErrorJson(const ClientError& error);
// event: error\ndata: {"error":{...}}\n\n (common/http/openai_error.h's stream error event)
std::string openAIErrorEvent(const ClientError& error);

}  // namespace llmproxy::worker::protocol
