// ResponseWriter: heads serialised straight into the pending batch, the keep-alive decision,
// chunk framing.
#include "worker/http/response_writer.h"

#include <utility>

namespace llmproxy::worker {

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

void ResponseWriter::bind(RequestHandler* exchange) {
  exchange_ = exchange;
  content_length_.reset();
  chunked_ = false;
  head_only_ = false;
}

void ResponseWriter::notifyIfFirst(bool was_empty) {
  if (was_empty && !pending_.empty()) sink_.onOutputQueued();
}

// The one keep-alive decision. Sticky: a connection once marked to close never reopens.
void ResponseWriter::decideKeepAlive(bool length_known) {
  const Request& req = exchange_->request;
  if (!sink_.onResponseHead()) close_ = true;  // draining, keepalive_requests
  if (!req.keep_alive) close_ = true;          // the client said so (or HTTP/1.0 without it)
  // An unread body cannot be skipped safely: the next request would start inside it.
  if (req.has_body && !exchange_->body_complete) close_ = true;
  // HTTP/1.0 has no chunked encoding: a body of unknown length ends with the connection.
  if (!length_known && req.http_minor == 0) close_ = true;
  chunked_ = !length_known && req.http_minor >= 1;
}

void ResponseWriter::beginHead(int status, std::optional<uint64_t> content_length) {
  if (shut_ || !exchange_) return;
  const bool was_empty = pending_.empty();
  head_only_ = exchange_->request.method == "HEAD";
  content_length_ = content_length;
  decideKeepAlive(content_length.has_value());
  exchange_->status = status;
  head_start_ = pending_.size();
  pending_.append("HTTP/1.1 ");
  pending_.appendDecimal(static_cast<uint64_t>(status));
  pending_.append(" ");
  pending_.append(statusReason(status));
  pending_.append("\r\nServer: llmproxy\r\n");
  if (!exchange_->request_id.empty()) header("x-request-id", exchange_->request_id);
  notifyIfFirst(was_empty);
}

void ResponseWriter::header(std::string_view name, std::string_view value) {
  if (shut_ || !exchange_) return;
  pending_.append(name);
  pending_.append(": ");
  pending_.append(value);
  pending_.append("\r\n");
}

void ResponseWriter::header(std::string_view name, uint64_t value) {
  if (shut_ || !exchange_) return;
  pending_.append(name);
  pending_.append(": ");
  pending_.appendDecimal(value);
  pending_.append("\r\n");
}

void ResponseWriter::endHead() {
  if (shut_ || !exchange_) return;
  if (content_length_) {
    header("Content-Length", *content_length_);
  } else if (chunked_) {
    pending_.append("Transfer-Encoding: chunked\r\n");
  }
  if (close_) {
    pending_.append("Connection: close\r\n");
  } else if (exchange_->request.http_minor == 0) {
    pending_.append("Connection: keep-alive\r\n");  // HTTP/1.0 closes unless told otherwise
  }
  pending_.append("\r\n");
  exchange_->bytes_out += pending_.size() - head_start_;
}

void ResponseWriter::body(BodySlice slice) {
  if (shut_ || !exchange_ || head_only_ || slice.len == 0) return;
  const bool was_empty = pending_.empty();
  exchange_->bytes_out += slice.len;
  if (chunked_) {
    pending_.appendHex(slice.len);
    pending_.append("\r\n");
  }
  pending_.appendShared(std::move(slice.owner), slice.data, slice.len);
  if (chunked_) pending_.append("\r\n");
  notifyIfFirst(was_empty);
}

void ResponseWriter::body(std::string_view bytes) {
  if (shut_ || !exchange_ || head_only_ || bytes.empty()) return;
  const bool was_empty = pending_.empty();
  exchange_->bytes_out += bytes.size();
  if (chunked_) {
    pending_.appendHex(bytes.size());
    pending_.append("\r\n");
  }
  pending_.append(bytes);
  if (chunked_) pending_.append("\r\n");
  notifyIfFirst(was_empty);
}

void ResponseWriter::send(Response&& response) {
  if (shut_ || !exchange_) return;
  beginHead(response.status, response.body.size());
  if (!response.content_type.empty()) header("Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) header(name, value);
  endHead();
  if (!head_only_ && !response.body.empty()) {
    exchange_->bytes_out += response.body.size();
    pending_.appendBody(std::move(response.body));
  }
  end();
}

void ResponseWriter::end() {
  if (shut_ || !exchange_) return;
  const bool was_empty = pending_.empty();
  if (chunked_ && !head_only_) pending_.append("0\r\n\r\n");
  notifyIfFirst(was_empty);
  sink_.onResponseEnded();
}

void ResponseWriter::abort() {
  if (shut_ || !exchange_) return;
  sink_.onResponseAborted();
}

}  // namespace llmproxy::worker
