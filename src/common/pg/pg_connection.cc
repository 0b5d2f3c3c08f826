// libpq's asynchronous protocol driven by a uv_poll on the connection's socket.
#include "common/pg/pg_connection.h"

#include <libpq-fe.h>

#include <cctype>
#include <utility>

#include "common/log/log.h"

namespace llmproxy::common::pg {

struct Connection::Poll {
  uv_poll_t handle;
  Connection* owner;
};

namespace {

std::string firstLine(const char* message) {
  std::string s = message ? message : "";
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s.empty() ? "unknown PostgreSQL error" : s;
}

}  // namespace

Connection::Connection(uv_loop_t* loop, std::string conninfo, Options options)
    : loop_(loop),
      conninfo_(std::move(conninfo)),
      options_(options),
      timer_(loop, this, &Connection::onTimer) {}

Connection::~Connection() {
  *alive_ = false;
  unwatch();
  if (conn_) PQfinish(conn_);
}

void Connection::connect() {
  if (state_ != State::Idle) return;
  state_ = State::Connecting;
  conn_ = PQconnectStart(conninfo_.c_str());
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) {
    // Reported from the timer, never from inside the caller's query()/connect().
    deferred_error_ = conn_ ? firstLine(PQerrorMessage(conn_)) : "out of memory";
    armTimer(std::chrono::milliseconds{0});
    return;
  }
  PQsetnonblocking(conn_, 1);
  // libpq prints notices (and a FATAL that arrives while idle) on stderr by default.
  PQsetNoticeProcessor(
      conn_, [](void*, const char* message) { LLMP_LOG_DEBUG("PostgreSQL: {}", firstLine(message)); },
      nullptr);
  armTimer(options_.connect_timeout);
  watch(UV_WRITABLE);  // libpq: behave as if PQconnectPoll had said PGRES_POLLING_WRITING
}

void Connection::query(std::string sql, Params params, QueryCallback cb) {
  queue_.push_back({std::move(sql), std::move(params), std::move(cb)});
  if (state_ == State::Idle)
    connect();
  else if (state_ == State::Ready)
    sendNext();
}

int Connection::socket() const { return conn_ ? PQsocket(conn_) : -1; }

void Connection::reset(std::string_view why) { fail(std::string(why), false); }

void Connection::armTimer(std::chrono::milliseconds after) {
  timer_.start(static_cast<uint64_t>(after.count()));
}

void Connection::onTimer(void* owner) {
  auto* self = static_cast<Connection*>(owner);
  if (!self->deferred_error_.empty()) {
    std::string why = std::move(self->deferred_error_);
    self->deferred_error_.clear();
    self->fail(std::move(why), true);
  } else if (self->state_ == State::Connecting) {
    self->fail("timed out connecting after " + std::to_string(self->options_.connect_timeout.count()) +
                   " ms",
               true);
  } else if (self->busy_) {
    self->fail("statement timed out after " + std::to_string(self->options_.query_timeout.count()) +
                   " ms",
               true);
  }
}

void Connection::watch(int events) {
  const int fd = PQsocket(conn_);
  if (fd < 0) {
    deferred_error_ = "no socket: " + firstLine(PQerrorMessage(conn_));
    armTimer(std::chrono::milliseconds{0});
    return;
  }
  if (poll_ && poll_fd_ != fd) unwatch();  // libpq may switch sockets while connecting
  if (!poll_) {
    poll_ = new Poll{{}, this};
    if (const int rc = uv_poll_init_socket(loop_, &poll_->handle, fd); rc != 0) {
      delete poll_;
      poll_ = nullptr;
      deferred_error_ = std::string("cannot watch the socket: ") + uv_strerror(rc);
      armTimer(std::chrono::milliseconds{0});
      return;
    }
    poll_->handle.data = poll_;
    poll_fd_ = fd;
    poll_events_ = 0;
  }
  if (events != poll_events_) {
    uv_poll_start(&poll_->handle, events, &Connection::onPoll);
    poll_events_ = events;
  }
}

void Connection::unwatch() {
  if (!poll_) return;
  poll_->owner = nullptr;
  uv_poll_stop(&poll_->handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_->handle),
           [](uv_handle_t* h) { delete static_cast<Poll*>(h->data); });
  poll_ = nullptr;
  poll_fd_ = -1;
  poll_events_ = 0;
}

void Connection::onPoll(uv_poll_t* handle, int status, int events) {
  Connection* self = static_cast<Poll*>(handle->data)->owner;
  if (!self) return;
  if (self->state_ == State::Connecting) {
    self->continueConnect();  // libpq reports the real cause of a socket error
    return;
  }
  if (status < 0) {
    self->fail(std::string("socket error: ") + uv_strerror(status), true);
    return;
  }
  if (self->state_ != State::Ready) return;
  if (events & UV_WRITABLE) {
    self->flushOutput();
    if (!self->conn_) return;
  }
  if (events & UV_READABLE) self->readInput();
}

void Connection::continueConnect() {
  // While connecting, libpq may close its socket and open another (next address, SSL retry)
  // that gets the same number: watch each step through a fresh handle.
  unwatch();
  switch (PQconnectPoll(conn_)) {
    case PGRES_POLLING_READING:
      watch(UV_READABLE);
      return;
    case PGRES_POLLING_WRITING:
      watch(UV_WRITABLE);
      return;
    case PGRES_POLLING_OK: {
      state_ = State::Ready;
      timer_.stop();
      watch(UV_READABLE);  // notifications and a closing server arrive at any time
      auto alive = alive_;
      if (state_cb_) {
        auto cb = state_cb_;
        cb(true, "");
        if (!*alive) return;
      }
      sendNext();
      return;
    }
    case PGRES_POLLING_FAILED:
    default:
      fail(firstLine(PQerrorMessage(conn_)), true);
      return;
  }
}

void Connection::sendNext() {
  if (busy_ || state_ != State::Ready || queue_.empty() || !deferred_error_.empty()) return;
  const Pending& q = queue_.front();
  int sent;
  if (q.params.empty()) {
    sent = PQsendQuery(conn_, q.sql.c_str());
  } else {
    std::vector<const char*> values;
    values.reserve(q.params.size());
    for (const auto& p : q.params) values.push_back(p ? p->c_str() : nullptr);
    sent = PQsendQueryParams(conn_, q.sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  }
  if (!sent) {
    deferred_error_ = firstLine(PQerrorMessage(conn_));
    armTimer(std::chrono::milliseconds{0});
    return;
  }
  busy_ = true;
  current_ = QueryResult{};
  armTimer(options_.query_timeout);
  flushOutput();
}

void Connection::flushOutput() {
  const int r = PQflush(conn_);
  if (r < 0) {
    deferred_error_ = firstLine(PQerrorMessage(conn_));
    armTimer(std::chrono::milliseconds{0});
    return;
  }
  watch(r == 1 ? (UV_READABLE | UV_WRITABLE) : UV_READABLE);
}

void Connection::readInput() {
  if (!PQconsumeInput(conn_)) {
    fail(firstLine(PQerrorMessage(conn_)), true);
    return;
  }
  auto alive = alive_;
  drainNotifies();
  if (!*alive || !conn_) return;
  while (busy_ && !PQisBusy(conn_)) {
    PGresult* r = PQgetResult(conn_);
    if (!r) {
      if (!finishCurrent()) return;
      continue;
    }
    const auto status = PQresultStatus(r);
    if ((status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) && current_.error.empty()) {
      current_.error = firstLine(PQresultErrorMessage(r));
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      current_.sqlstate = state ? state : "";
    }
    current_.results.emplace_back(r);
  }
  if (!conn_) return;
  if (PQstatus(conn_) == CONNECTION_BAD) {
    fail("the connection to PostgreSQL was lost", true);
    return;
  }
  // libpq stops parsing at the end of a result: a NOTIFY that came in the same read as the
  // result is parsed only now, and no more bytes may arrive to wake us for it.
  drainNotifies();
}

void Connection::drainNotifies() {
  auto alive = alive_;
  while (conn_) {
    PGnotify* n = PQnotifies(conn_);
    if (!n) return;
    const std::string channel = n->relname ? n->relname : "";
    const std::string payload = n->extra ? n->extra : "";
    PQfreemem(n);
    if (notify_cb_) {
      auto cb = notify_cb_;  // a copy: the callback may destroy this Connection
      cb(channel, payload);
      if (!*alive) return;
    }
  }
}

bool Connection::finishCurrent() {
  timer_.stop();
  Pending done = std::move(queue_.front());
  queue_.pop_front();
  busy_ = false;
  QueryResult result = std::move(current_);
  current_ = QueryResult{};
  result.ok = result.error.empty();
  auto alive = alive_;
  done.cb(result);
  if (!*alive || !conn_) return false;
  sendNext();
  return true;
}

void Connection::fail(std::string why, bool notify_state) {
  unwatch();
  if (conn_) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  state_ = State::Idle;
  busy_ = false;
  deferred_error_.clear();
  timer_.stop();
  current_ = QueryResult{};
  std::deque<Pending> failed = std::move(queue_);
  queue_.clear();
  auto alive = alive_;
  if (notify_state && state_cb_) {
    auto cb = state_cb_;
    cb(false, why);
    if (!*alive) return;
  }
  for (auto& p : failed) {
    QueryResult r;
    r.connection_error = true;
    r.error = why;
    p.cb(r);
    if (!*alive) return;
  }
}

namespace {

bool isConninfoSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The end of a conninfo value starting at `at`: a quoted one ('a b', 'it\'s') ends after its
// closing quote (or at the end when it has none), a bare one at a blank, or at '&' in a URI
// query.
size_t valueEnd(std::string_view s, size_t at) {
  if (at < s.size() && s[at] == '\'') {
    for (size_t i = at + 1; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '\'') {
        return i + 1;
      }
    }
    return s.size();
  }
  size_t i = at;
  while (i < s.size() && !isConninfoSpace(s[i]) && s[i] != '&') ++i;
  return i;
}

}  // namespace

std::string redactUrl(std::string_view url) {
  std::string out(url);
  // URI form: scheme://user:password@host... The last '@' before the query ends the user
  // info, so an unencoded '@' or '/' in the password is still covered (at worst a database
  // name with '@' is hidden too).
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const size_t query = out.find('?', scheme + 3);
    const size_t at = out.rfind('@', query == std::string::npos ? std::string::npos : query);
    const size_t colon = out.find(':', scheme + 3);
    if (at != std::string::npos && at > scheme && colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "***");
  }
  // key = value form, blanks around '=' and quoted values included (and ?password= in a URI).
  static constexpr std::string_view kKey = "password";
  for (size_t pos = 0; pos + kKey.size() <= out.size();) {
    size_t i = 0;
    while (i < kKey.size() && std::tolower(static_cast<unsigned char>(out[pos + i])) == kKey[i])
      ++i;
    const bool starts_word = pos == 0 || isConninfoSpace(out[pos - 1]) || out[pos - 1] == '?' ||
                             out[pos - 1] == '&';
    if (i < kKey.size() || !starts_word) {
      ++pos;
      continue;
    }
    size_t eq = pos + kKey.size();
    while (eq < out.size() && isConninfoSpace(out[eq])) ++eq;
    if (eq >= out.size() || out[eq] != '=') {
      pos = eq;
      continue;
    }
    size_t start = eq + 1;
    while (start < out.size() && isConninfoSpace(out[start])) ++start;
    const size_t end = valueEnd(out, start);
    out.replace(start, end - start, "***");
    pos = start + 3;
  }
  return out;
}

}  // namespace llmproxy::common::pg
