// One asynchronous PostgreSQL connection on a libuv loop (libpq's nonblocking API: PQconnectStart
// / PQconnectPoll, PQsendQuery[Params], PQconsumeInput, PQnotifies), used by the master (LISTEN and
// config loads) and by workers (admin API, usage log). Statements queue and run one at a time in
// order; every statement and every connection attempt has a timeout; LISTEN notifications arrive
// through a callback. Parameters are always sent separately from the SQL text (no quoting, no
// injection). The owner decides about reconnecting and back-off: a failure fails the queue and
// leaves the connection idle; the next query() (or connect()) starts a new attempt.
//
// Callbacks run on the loop and may destroy the Connection; nothing touches `this` afterwards.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/pg/pg_result.h"
#include "common/uv/uv_timer.h"

struct pg_conn;

namespace llmproxy::common::pg {

class Connection {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds query_timeout{5'000};
  };

  enum class State : uint8_t { Idle, Connecting, Ready };

  using Params = std::vector<std::optional<std::string>>;  // nullopt = SQL NULL
  using QueryCallback = std::function<void(QueryResult& result)>;
  using NotifyCallback = std::function<void(std::string_view channel, std::string_view payload)>;
  // up = true once connected; false when an attempt fails or a live connection is lost
  // (`why` is libpq's message; it never contains the password).
  using StateCallback = std::function<void(bool up, std::string_view why)>;

  Connection(uv_loop_t* loop, std::string conninfo, Options options);
  ~Connection();  // closes; queued callbacks are dropped without being called
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void onNotify(NotifyCallback cb) { notify_cb_ = std::move(cb); }
  void onState(StateCallback cb) { state_cb_ = std::move(cb); }

  // Starts an attempt if idle (no-op otherwise).
  void connect();
  // Queues one statement (or, with no params, possibly several separated by ';' — each gives
  // one result). Connects first if needed. The callback always runs exactly once, unless the
  // Connection is destroyed first.
  void query(std::string sql, Params params, QueryCallback cb);
  // Fails every queued statement with `why` and closes the socket (state becomes Idle).
  void reset(std::string_view why);

  State state() const { return state_; }
  // The socket libpq uses, -1 if none. Only for fork hygiene: a child closes it and never
  // touches the connection (PQfinish there would end the parent's session).
  int socket() const;
  size_t queued() const { return queue_.size(); }

 private:
  struct Pending {
    std::string sql;
    Params params;
    QueryCallback cb;
  };
  struct Poll;

  static void onPoll(uv_poll_t* handle, int status, int events);
  static void onTimer(void* self);

  void watch(int events);
  void unwatch();
  void continueConnect();
  void sendNext();
  void flushOutput();
  void readInput();
  void drainNotifies();
  bool finishCurrent();  // false if `this` was destroyed by a callback
  void fail(std::string why, bool notify_state);
  void armTimer(std::chrono::milliseconds after);

  uv_loop_t* loop_;
  std::string conninfo_;
  Options options_;
  NotifyCallback notify_cb_;
  StateCallback state_cb_;

  ::pg_conn* conn_ = nullptr;
  State state_ = State::Idle;
  Poll* poll_ = nullptr;  // heap, freed by its close callback
  int poll_fd_ = -1;
  int poll_events_ = 0;
  common::UvTimer timer_;  // connect and statement deadlines, deferred errors

  std::deque<Pending> queue_;   // front is in flight when busy_
  bool busy_ = false;
  QueryResult current_;
  std::string deferred_error_;  // a failure found inside a caller's call, reported from the timer
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "postgres://user:secret@host/db" -> "postgres://user:***@host/db", for logs. Also the
// key = value form with blanks around '=' and quoted values ("password = 'a b'").
std::string redactUrl(std::string_view url);

}  // namespace llmproxy::common::pg
