// Runs pipeline stages one by one on a real Exchange without a socket: the config is built from
// TOML text and published through shared memory as the master does, the Services are the real
// per-worker pieces (idle: no Redis, no database, a uv loop that is never run), and the client
// is a ClientConnection whose answer stays in its writer's batch, where the test reads it.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>
#include <uv.h>

#include <algorithm>
#include <cctype>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/blob.h"
#include "common/config/load.h"
#include "common/shm/region.h"
#include "common/time/clock.h"
#include "common/uv/close_loop.h"
#include "worker/admin/admin_db.h"
#include "worker/cache/memory_cache.h"
#include "worker/cache/redis_cache.h"
#include "worker/http/client_connection.h"
#include "worker/pipeline/exchange.h"
#include "worker/pipeline/stage_dispatch.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/services.h"
#include "worker/pipeline/upstream_state.h"

namespace llmproxy::worker::testing {

// One answer as the client would read it (the writer's framing undone).
struct SentResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names as written
  std::string body;

  // The first header of that name (case-insensitive), nullopt when absent.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          }))
        return v;
    return std::nullopt;
  }
};

// A client connection without a socket. Local answers (send) are whole: head with
// Content-Length, then the body.
class FakeClient final : public ClientConnection, private ResponseSink {
 public:
  explicit FakeClient(bool admin_listener = false) : admin_(admin_listener), writer_(*this) {}

  ResponseWriter& writer() override { return writer_; }
  size_t queuedBytes() const override { return writer_.pendingBytes(); }
  void readBody() override { ++body_reads; }
  bool isAdminListener() const override { return admin_; }
  const std::string& peerAddress() const override { return peer_; }
  void onAuthenticationFailed() override { ++auth_failures; }

  // Everything queued for the client so far.
  std::string bytes() const {
    std::string out;
    const_cast<ResponseWriter&>(writer_).pending().forEachPiece(
        [&out](const char* data, size_t len) { out.append(data, len); });
    return out;
  }
  // The answer, parsed; status 0 when nothing was written.
  SentResponse response() const {
    SentResponse r;
    const std::string raw = bytes();
    const size_t head_end = raw.find("\r\n\r\n");
    if (raw.empty() || head_end == std::string::npos) return r;
    r.status = std::stoi(raw.substr(raw.find(' ') + 1, 3));
    size_t at = raw.find("\r\n") + 2;
    while (at < head_end) {
      const size_t eol = raw.find("\r\n", at);
      const std::string line = raw.substr(at, eol - at);
      const size_t colon = line.find(':');
      r.headers.emplace_back(line.substr(0, colon), line.substr(line.find_first_not_of(' ', colon + 1)));
      at = eol + 2;
    }
    r.body = raw.substr(head_end + 4);
    return r;
  }

  int body_reads = 0;   // stage 35 asked for the body
  int auth_failures = 0;  // stage 30 refused a key
  bool ended = false;   // the answer's last byte is queued

 private:
  bool onResponseHead() override { return true; }
  void onOutputQueued() override {}
  void onResponseEnded() override { ended = true; }
  void onResponseAborted() override {}

  bool admin_;
  std::string peer_ = "127.0.0.1";
  ResponseWriter writer_;
};

// A request as stage 10 leaves it: head parsed, body (if any) read in full.
inline Request makeRequest(std::string method, std::string target,
                           std::vector<std::pair<std::string, std::string>> headers = {},
                           std::string body = {}) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.content_length = body.size();
  r.has_body = !body.empty();
  r.body = std::move(body);
  // The padding simdjson wants, as DownstreamConn::onBody leaves it.
  r.body.reserve(r.body.size() + common::JsonFactsParser::kPadding);
  return r;
}

inline int64_t monotonicMsForTests() {
  return static_cast<int64_t>(common::nowMonotonicUs() / 1000);
}

// The worker side: shared memory with the config published in it, the Services of one worker
// (slot 0) and its pinned config. Build one per test (a TOML config text), then exchanges.
// Services::master_pid is 0: never run the reload endpoint here (it signals the master).
class StageWorld {
 public:
  explicit StageWorld(const std::string& toml) {
    uv_loop_init(&loop_);
    common::ShmLayout layout;
    layout.max_workers = 2;
    layout.config_capacity = 1u << 20;
    auto region = common::ShmRegion::create(layout);
    if (!region) {
      ADD_FAILURE() << region.error().detail;
      return;
    }
    shm_ = std::make_unique<common::ShmRegion>(std::move(*region));
    auto loaded = common::loadConfigText(toml, "stage.conf",
                                         [](std::string_view) { return std::nullopt; });
    if (!loaded) {
      for (const auto& e : loaded.error()) ADD_FAILURE() << e.str();
      return;
    }
    shm_->configSlot().publish(common::encodeConfig(*loaded), 1);
    view_ = std::make_unique<ConfigView>(shm_->configSlot(), shm_->providerHealth(),
                                         &shm_->providerSlots());
    if (auto r = view_->load(); !r) {
      ADD_FAILURE() << r.error().detail;
      return;
    }
    const RuntimeConfig& cfg = *view_->current();
    metrics_ = std::make_unique<common::MetricsWriter>(shm_->metrics(), 0);
    gate_ = std::make_unique<ProviderGate>(shm_->providerSlots(), 0, [](common::WakeToken) {});
    limiter_ = std::make_unique<Limiter>(shm_->rateTable());
    upstream_ = std::make_unique<UpstreamClient>(&loop_, UpstreamLimits{});
    redis_ = std::make_unique<RedisClient>(&loop_, cfg.redis);
    redis_limiter_ = std::make_unique<RedisLimiter>(*redis_);
    usage_ = std::make_unique<UsageWriter>(&loop_, *metrics_, cfg.database);
    admin_db_ = std::make_unique<admin::AdminDb>(&loop_);
    memory_cache_ = std::make_unique<MemoryCache>(cfg.cache.memory_entries, cfg.cache.memory_size,
                                                  &monotonicMsForTests);
    redis_cache_ = std::make_unique<RedisCache>(*redis_);
    tracer_ = std::make_unique<tracing::Tracer>(&loop_, *upstream_, *metrics_, 1);
    tracer_->configure(cfg);
    services_.reset(new Services{&loop_, *shm_, shm_->worker(0), 0, *view_, draining_, *metrics_,
                                 json_parser_, tier_scratch_, usage_extractor_, *upstream_,
                                 *gate_, *limiter_, *redis_, *redis_limiter_, *usage_,
                                 *admin_db_, *memory_cache_, *redis_cache_, exchanges_,
                                 call_graveyard_, *tracer_});
  }
  ~StageWorld() {
    services_.reset();
    call_graveyard_.clear();
    tracer_.reset();
    redis_cache_.reset();
    memory_cache_.reset();
    usage_.reset();
    redis_limiter_.reset();
    redis_.reset();
    admin_db_.reset();
    upstream_.reset();
    gate_.reset();
    common::closeLoop(&loop_);
  }
  StageWorld(const StageWorld&) = delete;
  StageWorld& operator=(const StageWorld&) = delete;

  bool ok() const { return services_ != nullptr; }
  Services& services() { return *services_; }
  MemoryCache& memoryCache() { return *memory_cache_; }
  common::ShmRegion& shm() { return *shm_; }
  const std::shared_ptr<const RuntimeConfig>& config() const { return view_->current(); }

  // An exchange on `client` for `request`, bound to the client's writer as the connection
  // binds it, with a request id (as pipeline::start assigns one).
  std::unique_ptr<Exchange> exchange(FakeClient& client, Request request) {
    auto ex = std::make_unique<Exchange>(*services_, client, ++exchange_ids_, config());
    ex->request = std::move(request);
    ex->body_complete = true;
    ex->request_id = "req-" + std::to_string(exchange_ids_);
    client.writer().bind(ex.get());
    return ex;
  }

 private:
  uv_loop_t loop_{};
  std::unique_ptr<common::ShmRegion> shm_;
  std::unique_ptr<ConfigView> view_;
  bool draining_ = false;
  std::unique_ptr<common::MetricsWriter> metrics_;
  common::JsonFactsParser json_parser_;
  std::vector<Tier> tier_scratch_;
  UsageExtractor usage_extractor_;
  std::unique_ptr<ProviderGate> gate_;
  std::unique_ptr<Limiter> limiter_;
  std::unique_ptr<UpstreamClient> upstream_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisLimiter> redis_limiter_;
  std::unique_ptr<UsageWriter> usage_;
  std::unique_ptr<tracing::Tracer> tracer_;
  std::unique_ptr<admin::AdminDb> admin_db_;
  std::unique_ptr<MemoryCache> memory_cache_;
  std::unique_ptr<RedisCache> redis_cache_;
  WakeRegistry<Exchange> exchanges_;
  std::vector<std::unique_ptr<UpstreamCallbacks>> call_graveyard_;
  std::unique_ptr<Services> services_;
  uint64_t exchange_ids_ = 0;
};

// The stages before 60 in pipeline order, as the driver runs them.
// Runs stage `s` once, through the driver's own stage table. Only 20 to 55 run without a
// socket or an upstream; the tests never ask for more.
inline Outcome runStage(Exchange& ex, Stage s) {
  if (s > Stage::Cache) {
    ADD_FAILURE() << "runStage: only stages 20 to 55 run here";
    return Outcome::Respond;
  }
  ex.stage = s;
  return pipeline::runStage(ex);
}

// Runs the stages from 20 up to and including `last`, as the driver does (the generation moves
// on with each stage left), stopping early at Wait or Respond. Returns the last outcome.
inline Outcome runThrough(Exchange& ex, Stage last) {
  for (Stage s = Stage::Route;; s = pipeline::nextStage(s)) {
    const Outcome o = runStage(ex, s);
    if (o != Outcome::Next || s == last) return o;
    ++ex.generation;
    if (s == Stage::Cache) return Outcome::Next;
  }
}

// A string in a JSON body at a JSON pointer ("/error/code"); "<absent>" when there is none.
inline std::string jsonString(const std::string& body, const char* pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view v;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS ||
      doc.at_pointer(pointer).get_string().get(v) != simdjson::SUCCESS)
    return "<absent>";
  return std::string(v);
}

// Config text pieces.
inline std::string serverSection(const std::string& extra = "") {
  return "[server]\nlisten = \"127.0.0.1:1\"\nadmin_listen = \"127.0.0.1:2\"\n" + extra;
}

}  // namespace llmproxy::worker::testing
