// The worker's Redis connection: hiredis async + its libuv adapter, deadlines, reconnects.
#include "worker/redis/redis_client.h"

#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "common/log/log.h"

namespace llmproxy::worker {
namespace {

std::string sha1Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

RedisClient* clientOf(const redisAsyncContext* ac) { return static_cast<RedisClient*>(ac->data); }

}  // namespace

// --- RedisResult ---------------------------------------------------------------------------

bool RedisResult::isError() const {
  return status == RedisStatus::Ok && reply && reply->type == REDIS_REPLY_ERROR;
}

std::string_view RedisResult::text() const {
  if (status != RedisStatus::Ok || !reply) return {};
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return {reply->str, reply->len};
    default:
      return {};
  }
}

bool RedisResult::isNil() const {
  return status == RedisStatus::Ok && reply && reply->type == REDIS_REPLY_NIL;
}

int64_t RedisResult::integer() const {
  if (status != RedisStatus::Ok || !reply || reply->type != REDIS_REPLY_INTEGER) return 0;
  return reply->integer;
}

size_t RedisResult::elements() const {
  if (status != RedisStatus::Ok || !reply || reply->type != REDIS_REPLY_ARRAY) return 0;
  return reply->elements;
}

int64_t RedisResult::integerAt(size_t i) const {
  if (i >= elements()) return 0;
  const redisReply* e = reply->element[i];
  return e && e->type == REDIS_REPLY_INTEGER ? e->integer : 0;
}

// --- RedisWaiter ---------------------------------------------------------------------------

void RedisWaiter::cancel() {
  if (!entry_) return;
  static_cast<RedisClient::Entry*>(entry_)->waiter = nullptr;
  entry_ = nullptr;
}

// --- RedisClient: connection ---------------------------------------------------------------

RedisClient::RedisClient(uv_loop_t* loop, const common::RedisConfig& config)
    : loop_(loop),
      deadline_timer_(std::make_unique<common::UvTimer>(loop, this, &onDeadlineTimer)),
      reconnect_timer_(std::make_unique<common::UvTimer>(loop, this, &onReconnectTimer)),
      connect_timer_(std::make_unique<common::UvTimer>(loop, this, &onConnectTimer)) {
  reconfigure(config);
}

RedisClient::~RedisClient() {
  destroying_ = true;
  for (Entry& e : entries_) {
    if (e.waiter) e.waiter->entry_ = nullptr;
    e.waiter = nullptr;
  }
  if (ac_) {
    freeing_ = true;
    redisAsyncFree(ac_);  // runs the pending callbacks (which now reach nobody) synchronously
    ac_ = nullptr;
  }
  entries_.clear();
}

void RedisClient::reconfigure(const common::RedisConfig& config) {
  const bool url_changed = config.url != config_.url;
  config_ = config;
  if (!url_changed) return;
  endpoint_ok_ = false;
  if (!config_.url.empty()) {
    if (auto ep = common::parseRedisUrl(config_.url)) {
      endpoint_ = std::move(*ep);
      endpoint_ok_ = true;
    } else {
      LLMP_LOG_ERROR("redis: bad url: {}", ep.error());
    }
  }
  ever_up_ = false;
  logged_down_ = false;
  backoff_ms_ = kBackoffMinMs;
  // Never drop the connection from inside the caller's stack (a request being processed):
  // the callbacks of the commands in flight would run there. Next loop turn.
  if (state_ == State::Up && hook_) hook_(hook_owner_, false);
  if (ac_ || endpoint_ok_) {
    state_ = State::Connecting;
    reconnect_timer_->start(0);
  }
}

void RedisClient::connect() {
  if (ac_ || !endpoint_ok_) return;
  state_ = State::Connecting;
  redisAsyncContext* ac = endpoint_.unix_socket
                              ? redisAsyncConnectUnix(endpoint_.path.c_str())
                              : redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port);
  if (!ac) {
    lost("out of memory");
    return;
  }
  if (ac->err) {
    const std::string why = ac->errstr;
    redisAsyncFree(ac);
    lost(why);
    return;
  }
  ac->data = this;
  if (redisLibuvAttach(ac, loop_) != REDIS_OK) {
    redisAsyncFree(ac);
    lost("cannot attach to the event loop");
    return;
  }
  redisAsyncSetConnectCallback(ac, &RedisClient::onConnect);
  redisAsyncSetDisconnectCallback(ac, &RedisClient::onDisconnect);
  ac_ = ac;
  connect_timer_->start(std::max<uint64_t>(kConnectTimeoutMs,
                                           static_cast<uint64_t>(config_.timeout.count())));
}

void RedisClient::onConnect(const redisAsyncContext* ac, int status) {
  RedisClient* self = clientOf(ac);
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    self->ac_ = nullptr;
    self->connect_timer_->stop();
    self->lost(ac->errstr);
    return;
  }
  self->sendHandshake();
}

void RedisClient::sendHandshake() {
  handshake_left_ = 0;
  auto step = [this](std::span<const std::string_view> argv) {
    Entry e;
    e.handshake = 1;
    e.sent_ms = uv_now(loop_);
    if (send(argv, std::move(e))) ++handshake_left_;
  };
  if (!endpoint_.password.empty()) {
    if (endpoint_.username.empty()) {
      const std::string_view argv[] = {"AUTH", endpoint_.password};
      step(argv);
    } else {
      const std::string_view argv[] = {"AUTH", endpoint_.username, endpoint_.password};
      step(argv);
    }
  }
  if (endpoint_.db != 0) {
    const std::string db = std::to_string(endpoint_.db);
    const std::string_view argv[] = {"SELECT", db};
    step(argv);
  }
  for (const ScriptSource& s : scripts_) {
    const std::string_view argv[] = {"SCRIPT", "LOAD", s.source};
    step(argv);
  }
  const std::string_view ping[] = {"PING"};
  step(ping);
}

void RedisClient::setUp() {
  connect_timer_->stop();
  state_ = State::Up;
  backoff_ms_ = kBackoffMinMs;
  if (!ever_up_) {
    LLMP_LOG_INFO("redis: connected to {}", endpoint_.describe());
  } else if (logged_down_) {
    LLMP_LOG_WARN("redis: connection to {} is back", endpoint_.describe());
  }
  ever_up_ = true;
  logged_down_ = false;
  if (hook_) hook_(hook_owner_, true);
}

void RedisClient::lost(std::string_view why) {
  connect_timer_->stop();
  const bool was_up = state_ == State::Up;
  state_ = State::Down;
  if (was_up && hook_ && !destroying_) hook_(hook_owner_, false);
  if (!logged_down_) {
    logged_down_ = true;
    if (ever_up_)
      LLMP_LOG_ERROR("redis: connection to {} lost ({}); limits fall back to redis.on_failure "
                     "until it is back",
                     endpoint_.describe(), why);
    else
      LLMP_LOG_ERROR("redis: cannot connect to {} ({}); retrying with back-off",
                     endpoint_.describe(), why);
  }
  if (destroying_ || !endpoint_ok_) return;
  reconnect_timer_->start(backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, kBackoffMaxMs);
}

void RedisClient::drop(std::string_view why) {
  if (!ac_) return;
  redisAsyncContext* ac = ac_;
  ac_ = nullptr;
  freeing_ = true;
  redisAsyncFree(ac);  // pending commands: onReply(NULL) → Unavailable; onDisconnect
  freeing_ = false;
  lost(why);
}

void RedisClient::onDisconnect(const redisAsyncContext* ac, int /*status*/) {
  RedisClient* self = clientOf(ac);
  if (self->freeing_) return;  // drop() or the destructor: they handle the state
  // hiredis frees the context after this callback.
  self->ac_ = nullptr;
  self->lost(ac->err ? ac->errstr : "closed by the server");
}

void RedisClient::onReconnectTimer(void* p) {
  auto* self = static_cast<RedisClient*>(p);
  if (self->ac_) self->drop("reconfigured");
  if (!self->endpoint_ok_) {
    self->state_ = State::Down;
    return;
  }
  self->connect();
}

void RedisClient::onConnectTimer(void* p) {
  auto* self = static_cast<RedisClient*>(p);
  if (self->state_ == State::Up) return;
  self->drop("no answer within " + std::to_string(kConnectTimeoutMs) + " ms");
}

// --- RedisClient: commands -----------------------------------------------------------------

RedisClient::Script RedisClient::addScript(std::string source) {
  ScriptSource s;
  s.sha1 = sha1Hex(source);
  s.source = std::move(source);
  scripts_.push_back(std::move(s));
  return static_cast<Script>(scripts_.size() - 1);
}

bool RedisClient::send(std::span<const std::string_view> argv, Entry entry) {
  if (!ac_ || entries_.size() >= kMaxInFlight) return false;
  const char* args[32];
  size_t lens[32];
  if (argv.size() > 32) return false;
  for (size_t i = 0; i < argv.size(); ++i) {
    args[i] = argv[i].data();
    lens[i] = argv[i].size();
  }
  entry.seq = next_seq_;
  if (redisAsyncCommandArgv(ac_, &RedisClient::onReply,
                            reinterpret_cast<void*>(static_cast<uintptr_t>(entry.seq)),
                            static_cast<int>(argv.size()), args, lens) != REDIS_OK)
    return false;
  ++next_seq_;
  entries_.push_back(std::move(entry));
  Entry& e = entries_.back();
  if (e.waiter) e.waiter->entry_ = &e;
  if (e.deadline_ms && (!deadline_timer_->active() || e.deadline_ms < timer_due_ms_))
    startDeadlineTimer(e.deadline_ms);
  return true;
}

bool RedisClient::command(std::span<const std::string_view> argv, RedisWaiter* waiter) {
  if (state_ != State::Up) return false;
  if (waiter) waiter->cancel();
  Entry e;
  e.waiter = waiter;
  e.sent_ms = uv_now(loop_);
  e.deadline_ms = e.sent_ms + static_cast<uint64_t>(config_.timeout.count());
  return send(argv, std::move(e));
}

bool RedisClient::evalScript(Script script, std::span<const std::string_view> keys,
                             std::span<const std::string_view> args, RedisWaiter* waiter) {
  if (state_ != State::Up || script >= scripts_.size()) return false;
  if (waiter) waiter->cancel();
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  const std::string nkeys = std::to_string(keys.size());
  argv.push_back("EVALSHA");
  argv.push_back(scripts_[script].sha1);
  argv.push_back(nkeys);
  Entry e;
  e.waiter = waiter;
  e.sent_ms = uv_now(loop_);
  e.deadline_ms = e.sent_ms + static_cast<uint64_t>(config_.timeout.count());
  e.script = static_cast<int32_t>(script);
  e.eval_args.reserve(1 + keys.size() + args.size());
  e.eval_args.push_back(nkeys);
  for (auto k : keys) {
    argv.push_back(k);
    e.eval_args.emplace_back(k);
  }
  for (auto a : args) {
    argv.push_back(a);
    e.eval_args.emplace_back(a);
  }
  return send(argv, std::move(e));
}

bool RedisClient::get(std::string_view key, RedisWaiter* waiter) {
  const std::string_view argv[] = {"GET", key};
  return command(argv, waiter);
}

bool RedisClient::set(std::string_view key, std::string_view value, uint64_t ttl_ms,
                      RedisWaiter* waiter) {
  const std::string ttl = std::to_string(std::max<uint64_t>(1, ttl_ms));
  const std::string_view argv[] = {"SET", key, value, "PX", ttl};
  return command(argv, waiter);
}

// --- RedisClient: replies and deadlines ----------------------------------------------------

void RedisClient::deliver(Entry& entry, const RedisResult& result) {
  RedisWaiter* w = entry.waiter;
  if (!w) return;
  entry.waiter = nullptr;
  w->entry_ = nullptr;
  if (destroying_) return;
  w->cb_(w->owner_, result);  // may destroy w, send new commands, cancel others
}

void RedisClient::onReply(redisAsyncContext* ac, void* reply, void* privdata) {
  RedisClient* self = clientOf(ac);
  const auto seq = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(privdata));
  if (self->entries_.empty() || self->entries_.front().seq != seq) {
    LLMP_LOG_ERROR("redis: reply out of order (internal error); reconnecting");
    return;
  }
  self->handleReply(static_cast<redisReply*>(reply));
}

void RedisClient::handleReply(redisReply* reply) {
  Entry entry = std::move(entries_.front());
  entries_.pop_front();
  if (entry.waiter) entry.waiter->entry_ = &entry;  // re-point while it lives on this stack
  deadline_cursor_ = std::max(deadline_cursor_, entry.seq + 1);

  RedisResult result;
  result.status = reply ? RedisStatus::Ok : RedisStatus::Unavailable;
  result.reply = reply;

  if (entry.handshake) {
    if (!reply || destroying_) return;
    if (reply->type == REDIS_REPLY_ERROR) {
      const std::string why(reply->str, reply->len);
      drop("the connection set-up failed: " + why);
      return;
    }
    if (--handshake_left_ == 0) setUp();
    return;
  }
  if (entry.script >= 0 && entry.waiter && reply && reply->type == REDIS_REPLY_ERROR &&
      std::string_view(reply->str, reply->len).starts_with("NOSCRIPT") && ac_ && !freeing_) {
    // The server lost the script (SCRIPT FLUSH, a restart we did not notice): EVAL once.
    std::vector<std::string_view> argv;
    argv.push_back("EVAL");
    argv.push_back(scripts_[static_cast<size_t>(entry.script)].source);
    for (const auto& a : entry.eval_args) argv.push_back(a);
    Entry retry;
    retry.waiter = entry.waiter;
    retry.sent_ms = uv_now(loop_);
    retry.deadline_ms = retry.sent_ms + static_cast<uint64_t>(config_.timeout.count());
    entry.waiter->entry_ = nullptr;
    entry.waiter = nullptr;
    if (send(argv, std::move(retry))) return;
    result.status = RedisStatus::Unavailable;
    result.reply = nullptr;
    RedisWaiter* w = retry.waiter;
    if (w && !destroying_) w->cb_(w->owner_, result);
    return;
  }
  deliver(entry, result);
}

size_t RedisClient::cursorIndex() const {
  if (entries_.empty()) return 0;
  const uint64_t front = entries_.front().seq;
  return deadline_cursor_ > front ? static_cast<size_t>(deadline_cursor_ - front) : 0;
}

void RedisClient::startDeadlineTimer(uint64_t due_ms) {
  const uint64_t now = uv_now(loop_);
  timer_due_ms_ = due_ms;
  deadline_timer_->start(due_ms > now ? due_ms - now : 0);
}

void RedisClient::armDeadlineTimer() {
  for (size_t i = cursorIndex(); i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (!e.deadline_ms || !e.waiter) continue;
    startDeadlineTimer(e.deadline_ms);
    return;
  }
  // Nothing left to time out: still watch for a stall while anything is unanswered.
  if (!entries_.empty() && ac_) startDeadlineTimer(entries_.front().sent_ms + kStallMs);
}

void RedisClient::onDeadlineTimer(void* p) {
  auto* self = static_cast<RedisClient*>(p);
  const uint64_t now = uv_now(self->loop_);
  if (!self->entries_.empty() && self->entries_.front().sent_ms &&
      now - self->entries_.front().sent_ms >= kStallMs && self->ac_) {
    self->drop("no reply for " + std::to_string(kStallMs) + " ms");
    return;
  }
  // Time out, in order, every command whose deadline passed. deliver() may append entries;
  // index by position from the front since pops happen only in hiredis callbacks.
  for (size_t i = self->cursorIndex(); i < self->entries_.size(); ++i) {
    Entry& e = self->entries_[i];
    if (e.deadline_ms && e.deadline_ms > now) break;
    self->deadline_cursor_ = e.seq + 1;
    RedisResult timeout;
    timeout.status = RedisStatus::Timeout;
    self->deliver(e, timeout);
  }
  if (!self->entries_.empty()) self->armDeadlineTimer();
}

}  // namespace llmproxy::worker
