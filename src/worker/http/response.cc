// Local responses: JSON bodies, OpenAI-style errors, the HTTP/1.1 head.
#include "worker/http/response.h"

#include <optional>

#include "common/http/openai_error.h"

namespace llmproxy::worker {

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::error(const common::Error& error, std::string_view param) {
  std::optional<std::string_view> p;
  if (!param.empty()) p = param;
  return json(common::errorInfo(error.kind).http_status, common::openAIErrorBody(error, p));
}

std::string_view statusReason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

std::string serializeHead(const Response& r, std::string_view request_id, bool close,
                          bool keep_alive_http10) {
  std::string h;
  h.reserve(256);
  h += "HTTP/1.1 ";
  h += std::to_string(r.status);
  h += ' ';
  h += statusReason(r.status);
  h += "\r\nServer: llmproxy\r\nContent-Type: ";
  h += r.content_type;
  h += "\r\nContent-Length: ";
  h += std::to_string(r.body.size());
  if (!request_id.empty()) {
    h += "\r\nx-request-id: ";
    h += request_id;
  }
  for (const auto& [k, v] : r.headers) {
    h += "\r\n";
    h += k;
    h += ": ";
    h += v;
  }
  if (close) {
    h += "\r\nConnection: close";
  } else if (keep_alive_http10) {
    h += "\r\nConnection: keep-alive";
  }
  h += "\r\n\r\n";
  return h;
}

}  // namespace llmproxy::worker
