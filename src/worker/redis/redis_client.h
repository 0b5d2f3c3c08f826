// One Redis connection per worker (hiredis async on the worker's libuv loop), shared by every
// user in the worker: the limiter's scripts, the response cache.
//
// - Connects at construction ([redis] url: redis://[[user]:password@]host:port/db or
//   unix:/path?db=N), then AUTH / SELECT / SCRIPT LOAD of every registered script; it is `up()`
//   only once all of them answered. Lost or refused: reconnects with back-off (50 ms doubling
//   to 2 s). The state is logged once per change (connected, lost, back), never per attempt.
// - Pipelining: any number of commands in flight (bounded by kMaxInFlight); replies come back in
//   order and are matched to their command.
// - Every command has a deadline (redis.timeout). When it passes the caller's callback gets
//   Timeout at once and carries on; the reply that arrives later is dropped. A connection whose
//   oldest command has had no reply for kStallMs is dropped and reconnected.
// - Not up, or too many commands in flight: the call returns false and NO callback fires; the
//   caller decides on the spot (fallback).
//
// Lifetime: each command in flight is tied to a RedisWaiter owned by the caller. Destroying the
// waiter (or cancel()) unhooks it: its callback never fires afterwards, so an Exchange that dies
// while waiting is safe. Callbacks run on the worker loop, never from inside the call that
// issued the command. Worker-loop-only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "common/config/redis_url.h"
#include "common/uv/uv_timer.h"

struct redisAsyncContext;
struct redisReply;

namespace llmproxy::worker {

enum class RedisStatus : uint8_t {
  Ok,           // a reply (which may itself be a Redis error reply: see isError())
  Timeout,      // no reply within redis.timeout
  Unavailable,  // the connection went away before the reply
};

struct RedisResult {
  RedisStatus status = RedisStatus::Unavailable;
  const redisReply* reply = nullptr;  // status Ok only; valid during the callback only

  bool ok() const { return status == RedisStatus::Ok && !isError(); }
  bool isError() const;                 // an error reply ("ERR ...", "NOSCRIPT ...")
  std::string_view text() const;        // string, status or error reply; empty otherwise
  bool isNil() const;
  int64_t integer() const;              // integer reply; 0 otherwise
  size_t elements() const;              // array reply
  int64_t integerAt(size_t i) const;    // integer element of an array reply; 0 otherwise
};

using RedisCallback = void (*)(void* owner, const RedisResult& result);

class RedisClient;

// The caller's side of one command in flight. Not movable while pending.
class RedisWaiter {
 public:
  RedisWaiter(void* owner, RedisCallback cb) : owner_(owner), cb_(cb) {}
  ~RedisWaiter() { cancel(); }
  RedisWaiter(const RedisWaiter&) = delete;
  RedisWaiter& operator=(const RedisWaiter&) = delete;

  bool pending() const { return entry_ != nullptr; }
  // The callback will not fire for the command in flight (if any).
  void cancel();

 private:
  friend class RedisClient;
  void* owner_;
  RedisCallback cb_;
  void* entry_ = nullptr;  // RedisClient's in-flight entry while pending
};

class RedisClient {
 public:
  static constexpr size_t kMaxInFlight = 4096;
  static constexpr uint64_t kStallMs = 2000;  // oldest command unanswered this long: reconnect
  static constexpr uint64_t kConnectTimeoutMs = 2000;  // TCP connect + AUTH/SELECT/SCRIPT LOAD
  static constexpr uint64_t kBackoffMinMs = 50;
  static constexpr uint64_t kBackoffMaxMs = 2000;

  enum class State : uint8_t { Connecting, Up, Down };
  using Script = uint32_t;

  // Starts connecting at once when config.url is set (the URL was validated at load).
  RedisClient(uv_loop_t* loop, const common::RedisConfig& config);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // A reload: a new url reconnects (on the next loop turn); a new timeout applies to new
  // commands. An empty url closes the connection.
  void reconfigure(const common::RedisConfig& config);

  bool configured() const { return !config_.url.empty(); }
  bool up() const { return state_ == State::Up; }
  State state() const { return state_; }
  const common::RedisConfig& config() const { return config_; }
  size_t inFlight() const { return entries_.size(); }

  // Called on every change between up and not up (metrics).
  using StateHook = void (*)(void* owner, bool up);
  void setStateHook(void* owner, StateHook hook) {
    hook_owner_ = owner;
    hook_ = hook;
  }

  // Registers a Lua script (once, at start): SCRIPT LOAD on every connect, evalScript() sends
  // EVALSHA and falls back to EVAL when the server answers NOSCRIPT.
  Script addScript(std::string source);

  // Any command. `waiter` null: fire and forget (the reply is dropped). false: not sent.
  bool command(std::span<const std::string_view> argv, RedisWaiter* waiter);
  bool evalScript(Script script, std::span<const std::string_view> keys,
                  std::span<const std::string_view> args, RedisWaiter* waiter);
  // Conveniences for the cache: GET key; SET key value PX ttl_ms.
  bool get(std::string_view key, RedisWaiter* waiter);
  bool set(std::string_view key, std::string_view value, uint64_t ttl_ms, RedisWaiter* waiter);

 private:
  struct Entry {
    uint64_t seq = 0;
    RedisWaiter* waiter = nullptr;  // null: nobody waits (fire and forget, timed out, cancelled)
    uint64_t sent_ms = 0;
    uint64_t deadline_ms = 0;       // 0: none (handshake: covered by the connect timer)
    int handshake = 0;              // 1: an AUTH/SELECT/SCRIPT LOAD of the connect sequence
    int32_t script = -1;            // EVALSHA of this script: retried as EVAL on NOSCRIPT
    std::vector<std::string> eval_args;  // keys count, keys and args, kept for that retry
  };
  friend class RedisWaiter;

  static void onConnect(const redisAsyncContext* ac, int status);
  static void onDisconnect(const redisAsyncContext* ac, int status);
  static void onReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void onDeadlineTimer(void* self);
  static void onReconnectTimer(void* self);
  static void onConnectTimer(void* self);

  void connect();
  void sendHandshake();
  bool send(std::span<const std::string_view> argv, Entry entry);
  void deliver(Entry& entry, const RedisResult& result);
  void handleReply(redisReply* reply);
  void armDeadlineTimer();
  void startDeadlineTimer(uint64_t due_ms);
  size_t cursorIndex() const;
  // Drops the connection (pending commands get Unavailable) and schedules a reconnect.
  void drop(std::string_view why);
  void lost(std::string_view why);  // the connection is gone: log once, back off
  void setUp();

  uv_loop_t* loop_;
  common::RedisConfig config_;
  common::RedisEndpoint endpoint_;
  bool endpoint_ok_ = false;
  redisAsyncContext* ac_ = nullptr;
  State state_ = State::Connecting;
  bool ever_up_ = false;
  bool logged_down_ = false;
  bool freeing_ = false;     // inside our own redisAsyncFree
  bool destroying_ = false;  // callbacks must not reach the callers any more
  int handshake_left_ = 0;
  void* hook_owner_ = nullptr;
  StateHook hook_ = nullptr;
  uint64_t backoff_ms_ = kBackoffMinMs;
  std::deque<Entry> entries_;  // in send order = reply order; references stay valid
  uint64_t next_seq_ = 1;
  uint64_t deadline_cursor_ = 1;  // entries before this seq have no deadline left to watch
  uint64_t timer_due_ms_ = 0;     // loop time the deadline timer fires at
  struct ScriptSource {
    std::string source;
    std::string sha1;  // hex
  };
  std::vector<ScriptSource> scripts_;
  std::unique_ptr<common::UvTimer> deadline_timer_;
  std::unique_ptr<common::UvTimer> reconnect_timer_;
  std::unique_ptr<common::UvTimer> connect_timer_;
};

}  // namespace llmproxy::worker
