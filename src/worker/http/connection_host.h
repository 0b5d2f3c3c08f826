// What a client connection needs from the worker that accepted it, and nothing more: the shared
// read buffer, flush scheduling, the drain flag, the server limits, the handler factory and the
// closed notice. Implemented by the Worker. Worker-loop-only.
#pragma once

#include <cstddef>
#include <memory>

#include "common/config/config.h"

namespace llmproxy::worker {

class DownstreamConn;
class RequestHandler;

class ConnectionHost {
 public:
  // One read buffer for every connection: data is parsed (or copied) before the next read.
  virtual char* readBuffer() = 0;
  virtual size_t readBufferSize() const = 0;

  // Batched writes are flushed in the current loop iteration's check phase.
  virtual void scheduleFlush(DownstreamConn* conn) = 0;
  virtual void cancelFlush(DownstreamConn* conn) = 0;

  // Graceful stop: every response from now on says "Connection: close".
  virtual bool draining() const = 0;

  // The server section of the current config. A handler made by newHandler() pins the config
  // that is current then, so this reference, taken right after, stays valid while it lives.
  virtual const common::ServerConfig& serverLimits() const = 0;

  // The handler of the next request on `conn` (its first byte has just arrived).
  virtual std::unique_ptr<RequestHandler> newHandler(DownstreamConn& conn) = 0;
  // A handler whose exchange ended; freed after the current callback chain, since a stage of
  // it may still be on the stack.
  virtual void retireHandler(std::unique_ptr<RequestHandler> handler) = 0;

  // `conn` is closing: it leaves the registry (freed by libuv's close callback).
  virtual void onConnectionClosed(DownstreamConn* conn) = 0;

 protected:
  ~ConnectionHost() = default;
};

}  // namespace llmproxy::worker
