// What an exchange uses of the client connection it answers on: its response writer, its
// queued bytes (relay backpressure), the body read (stage 35), which listener accepted it, the
// peer address, and the digest of the API key last presented on it (stage 30 hashes a key only
// when it changes). DownstreamConn implements it; the stage unit tests implement it without a
// socket. Worker-loop-only.
#pragma once

#include <cstddef>
#include <string>

#include "common/crypto/sha256_memo.h"
#include "worker/http/response_writer.h"

namespace llmproxy::worker {

class ClientConnection {
 public:
  // How the current exchange answers.
  virtual ResponseWriter& writer() = 0;
  // Bytes queued for the client and not yet written.
  virtual size_t queuedBytes() const = 0;
  // Stage 35: read the request body; the handler's onRequestBody follows once it is complete.
  virtual void readBody() = 0;
  virtual bool isAdminListener() const = 0;
  virtual const std::string& peerAddress() const = 0;
  // Stage 30 refused a key (client or admin), before answering 401: after a few refusals on
  // one connection that answer closes it, so one connection cannot try keys at full speed.
  virtual void onAuthenticationFailed() = 0;

  common::Sha256Memo& keyDigest() { return key_digest_; }

 protected:
  ~ClientConnection() = default;

 private:
  common::Sha256Memo key_digest_;
};

}  // namespace llmproxy::worker
