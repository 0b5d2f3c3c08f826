// The provider probe: one minimal chat completion per model over the worker's upstream client.
#include "worker/admin/provider_probe.h"

#include <simdjson.h>

#include <algorithm>

#include "common/json/json_writer.h"
#include "common/time/clock.h"
#include "worker/admin/admin_common.h"
#include "worker/admin/admin_json.h"
#include "worker/protocol/request_head.h"

namespace llmproxy::worker::admin {
namespace {

constexpr size_t kKeptResponseBytes = 4096;  // of an answer, to quote its error message
constexpr size_t kMaxErrorSize = 300;

// The provider's error message from an OpenAI-style error body, else "".
std::string errorMessageOf(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) return "";
  std::string_view message;
  if (doc.at_pointer("/error/message").get_string().get(message) == simdjson::SUCCESS)
    return std::string(message);
  return "";
}

}  // namespace

struct ProviderProbe::Item final : UpstreamCallbacks {
  ProviderProbe* owner = nullptr;
  std::string model;
  std::string head;
  std::string body;
  std::unique_ptr<UpstreamCall> call;
  uint64_t started_us = 0;
  uint64_t ended_us = 0;
  int status = 0;
  std::string response;  // the first kKeptResponseBytes of the answer's body
  std::string error;
  bool finished = false;

  void onUpstreamHead(UpstreamResponseHead h) override {
    if (!finished) status = h.status;
  }
  void onUpstreamBody(BodySlice slice) override {
    if (finished) return;
    const size_t room = kKeptResponseBytes - std::min(kKeptResponseBytes, response.size());
    response.append(slice.data, std::min(room, slice.len));
  }
  void onUpstreamEnd() override {
    if (!finished) owner->itemDone(*this);
  }
  void onUpstreamError(const common::Error& e, bool, bool) override {
    if (finished) return;
    error = e.detail;
    owner->itemDone(*this);
  }
};

ProviderProbe::ProviderProbe(LocalCall& call, const ProviderRuntime& provider,
                             std::vector<std::string> models)
    : upstream_client_(call.services.upstream_client),
      waker_(call.waker),
      request_id_(call.request_id),
      connect_timeout_(call.config->server.connect_timeout),
      provider_(provider),
      timer_(call.services.loop, this, &ProviderProbe::onTimeout) {
  for (auto& m : models) {
    auto item = std::make_unique<Item>();
    item->owner = this;
    item->model = std::move(m);
    items_.push_back(std::move(item));
  }
}

// Calls are destroyed here, outside their callbacks (the exchange is freed from the worker's
// deferred-delete list); one still in flight closes its connection.
ProviderProbe::~ProviderProbe() = default;

void ProviderProbe::start() {
  timer_.start(kProbeTimeoutMs);
  starting_ = true;
  while (next_ < items_.size() && next_ < kProbeConcurrency) launch(*items_[next_++]);
  starting_ = false;
}

void ProviderProbe::launch(Item& item) {
  const common::ProviderConfig& pc = *provider_.config;
  item.started_us = common::nowMonotonicUs();
  if (auto refused = protocol::checkTarget(pc, item.model)) {
    item.error = std::move(refused->detail);
    itemDone(item);
    return;
  }
  common::JsonWriter w;
  w.beginObject()
      .field("model", item.model)
      .field("max_tokens", 1)
      .key("messages")
      .beginArray()
      .beginObject()
      .field("role", "user")
      .field("content", "ping")
      .endObject()
      .endArray()
      .endObject();
  item.body = w.take();
  std::string& h = item.head;
  h.clear();
  // The same body is a valid Chat Completions and Anthropic Messages request.
  const auto op = pc.type == common::ProviderType::Anthropic ? protocol::Operation::Messages
                                                              : protocol::Operation::ChatCompletions;
  protocol::appendRequestLine(h, pc, op, item.model);
  h += provider_.host_header;
  h += provider_.auth_header;
  h += provider_.version_header;
  h += "Content-Type: application/json\r\nUser-Agent: llmproxy-probe\r\n";
  protocol::appendHeadEnd(h, request_id_, item.body.size());
  const uv_buf_t pieces[] = {uv_buf_init(h.data(), h.size()),
                             uv_buf_init(item.body.data(), item.body.size())};
  item.call = upstream_client_.start(provider_.origin, pieces, &item, connect_timeout_);
  if (!item.call) {
    item.error = "the request could not be started";
    itemDone(item);
  }
}

void ProviderProbe::itemDone(Item& item) {
  item.finished = true;
  item.ended_us = common::nowMonotonicUs();
  ++finished_;
  if (next_ < items_.size()) launch(*items_[next_++]);
  if (done()) resumeExchange();
}

void ProviderProbe::onTimeout(void* self) {
  auto* probe = static_cast<ProviderProbe*>(self);
  for (auto& item : probe->items_) {
    if (item->finished) continue;
    item->finished = true;
    item->ended_us = common::nowMonotonicUs();
    item->error = item->started_us ? "no complete answer within the probe's time limit"
                                   : "not started within the probe's time limit";
    ++probe->finished_;
  }
  probe->next_ = probe->items_.size();
  probe->resumeExchange();
}

void ProviderProbe::resumeExchange() {
  timer_.stop();
  if (starting_ || resumed_) return;  // start()'s caller looks at done() itself
  resumed_ = true;
  waker_.wake();
}

std::string ProviderProbe::render() const {
  const std::string& secret = provider_.config->api_key;
  common::JsonWriter w;
  bool all_ok = true;
  w.beginObject().field("provider", provider_.config->id).key("models").beginArray();
  for (const auto& item : items_) {
    const bool ok = item->error.empty() && item->status >= 200 && item->status < 300;
    all_ok = all_ok && ok;
    w.beginObject().field("model", item->model).field("ok", ok);
    w.key("status");
    if (item->status)
      w.value(item->status);
    else
      w.null();
    w.key("latency_ms");
    if (item->started_us && item->ended_us >= item->started_us)
      w.value(static_cast<double>((item->ended_us - item->started_us) / 100) / 10.0);
    else
      w.null();
    std::string error = item->error;
    if (error.empty() && !ok) {
      error = "provider answered " + std::to_string(item->status);
      if (std::string message = errorMessageOf(item->response); !message.empty())
        error += ": " + message;
    }
    if (!secret.empty())
      for (size_t at; (at = error.find(secret)) != std::string::npos;)
        error.replace(at, secret.size(), "****");
    if (error.size() > kMaxErrorSize) error.resize(kMaxErrorSize);
    w.key("error");
    if (error.empty())
      w.null();
    else
      w.value(error);
    w.endObject();
  }
  w.endArray().field("ok", all_ok).endObject();
  return w.take();
}

Outcome providerHealth(LocalCall& call) {
  AdminState& st = adminState(call);
  if (st.probe) {
    if (!st.probe->done()) return Outcome::Wait;
    return respondJson(call, 200, st.probe->render());
  }
  const auto id = numericId(call.route_param);
  const auto& providers = call.config->providers;
  size_t index = providers.size();
  for (size_t i = 0; i < providers.size() && index == providers.size(); ++i)
    if ((id && providers[i].db_id == *id) || providers[i].id == call.route_param) index = i;
  if (index == providers.size())
    return call.respondError(
        {common::ErrorKind::NotFound,
         "no provider with this id in the running configuration (a provider created a "
         "moment ago is probed once the configuration has reloaded)",
         0});

  JsonBody body;
  std::vector<std::string> models = providers[index].models;
  if (body.parse(call.request.body, {"models"}, {}, true)) {
    if (auto v = body.get("models"))
      if (auto list = body.stringList(*v, "models", kMaxNameSize)) models = std::move(*list);
  }
  if (body.ok() && models.empty())
    body.fail("models", "the provider lists no models: name the models to probe in 'models'");
  if (body.ok() && models.size() > kMaxProbedModels)
    body.fail("models", "at most " + std::to_string(kMaxProbedModels) + " models per probe");
  if (!body.ok()) return respondFieldError(call, body.error());

  st.probe = std::make_unique<ProviderProbe>(call, call.config->provider_runtime[index],
                                             std::move(models));
  st.probe->start();
  if (st.probe->done()) return respondJson(call, 200, st.probe->render());
  return Outcome::Wait;
}

}  // namespace llmproxy::worker::admin
