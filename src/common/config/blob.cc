// The config snapshot as bytes: "LPCF", a layout version, then every field in declaration order.
// Integers are little-endian and fixed-width; strings and vectors carry a u32 length first.
// One field list per struct (visit) drives both the writer and the reader, so they cannot drift.
#include "common/config/blob.h"

#include <bit>
#include <concepts>
#include <cstring>
#include <type_traits>

namespace llmproxy::common {

namespace {

constexpr char kMagic[4] = {'L', 'P', 'C', 'F'};
// NOTE: bump when the encoding or any config struct changes; master and workers of one binary
// always agree, the version only guards against a corrupt or foreign segment.
constexpr uint32_t kLayoutVersion = 6;

#if defined(__x86_64__) && defined(__GLIBCXX__)
// A new config field must also be added to the visit() lists below (and to blob_test.cc's fully
// populated Config). These sizes fail the build as a reminder; update them after doing so.
static_assert(sizeof(ListenAddress) == 112 && sizeof(ServerConfig) == 376 &&
                  sizeof(LogConfig) == 128 && sizeof(DatabaseConfig) == 72 &&
                  sizeof(RedisConfig) == 104 && sizeof(CacheConfig) == 40 &&
                  sizeof(UpstreamUrl) == 80 && sizeof(ModelMapping) == 64 &&
                  sizeof(ProviderConfig) == 352 && sizeof(RateLimit) == 16 &&
                  sizeof(ModelLimit) == 56 && sizeof(KeyConfig) == 232 &&
                  sizeof(TracingConfig) == 128 && sizeof(LangfuseConfig) == 144 &&
                  sizeof(ModelFallback) == 56 && sizeof(PriceConfig) == 104 &&
                  sizeof(Config) == 1120,
              "a config struct changed: update blob.cc's visit() lists and kLayoutVersion");
#endif

template <typename S, typename T>
concept Is = std::same_as<std::remove_const_t<S>, T>;

// ---- field lists (S is the struct, const when encoding) ---------------------------------

template <typename Io, Is<ListenAddress> S>
void visit(Io& io, S& a) {
  io(a.kind);
  io(a.host);
  io(a.port);
  io(a.path);
  io(a.text);
}

template <typename Io, Is<ServerConfig> S>
void visit(Io& io, S& s) {
  io(s.listen);
  io(s.admin_listen);
  io(s.workers);
  io(s.admin_key);
  io(s.max_body_size);
  io(s.max_header_size);
  io(s.responses_item_store);
  io(s.max_connections);
  io(s.keepalive_requests);
  io(s.header_timeout);
  io(s.body_timeout);
  io(s.keepalive_timeout);
  io(s.send_timeout);
  io(s.connect_timeout);
  io(s.request_timeout);
  io(s.ttft_timeout);
  io(s.stream_idle_timeout);
  io(s.shutdown_timeout);
  io(s.provider_prefix);
  io(s.allow_unauthenticated);
  io(s.max_attempts);
  io(s.budget_estimate_tokens);
  io(s.pid_file);
  io(s.admin_ui_root);
  io(s.user);
  io(s.group);
  io(s.unix_socket_mode);
}

template <typename Io, Is<LogConfig> S>
void visit(Io& io, S& l) {
  io(l.error_log);
  io(l.access_log);
  io(l.level);
  io(l.access_format);
}

template <typename Io, Is<DatabaseConfig> S>
void visit(Io& io, S& d) {
  io(d.url);
  io(d.connect_timeout);
  io(d.query_timeout);
  io(d.usage_log);
  io(d.usage_batch_size);
  io(d.usage_flush_interval);
  io(d.usage_buffer);
}

template <typename Io, Is<RedisConfig> S>
void visit(Io& io, S& r) {
  io(r.url);
  io(r.on_failure);
  io(r.timeout);
  io(r.key_prefix);
}

template <typename Io, Is<CacheConfig> S>
void visit(Io& io, S& c) {
  io(c.default_ttl);
  io(c.max_ttl);
  io(c.max_entry_size);
  io(c.memory_entries);
  io(c.memory_size);
}

template <typename Io, Is<HttpHeader> S>
void visit(Io& io, S& h) {
  io(h.name);
  io(h.value);
}

template <typename Io, Is<TracingConfig> S>
void visit(Io& io, S& t) {
  io(t.otlp_endpoint);
  io(t.otlp_headers);
  io(t.service_name);
  io(t.sample_ratio);
  io(t.batch_size);
  io(t.flush_interval);
  io(t.queue_size);
  io(t.export_timeout);
}

template <typename Io, Is<LangfuseConfig> S>
void visit(Io& io, S& l) {
  io(l.host);
  io(l.public_key);
  io(l.secret_key);
  io(l.sample_rate);
  io(l.capture_content);
  io(l.max_content_size);
  io(l.redact);
}

template <typename Io, Is<UpstreamUrl> S>
void visit(Io& io, S& u) {
  io(u.tls);
  io(u.host);
  io(u.port);
  io(u.base_path);
}

template <typename Io, Is<ModelMapping> S>
void visit(Io& io, S& m) {
  io(m.pattern);
  io(m.target);
}

template <typename Io, Is<ProviderConfig> S>
void visit(Io& io, S& p) {
  io(p.id);
  io(p.type);
  io(p.api_base);
  io(p.url);
  io(p.api_key);
  io(p.api_version);
  io(p.weight);
  io(p.enabled);
  io(p.verify_ssl);
  io(p.forward_organization_headers);
  io(p.responses);
  io(p.ca_file);
  io(p.models);
  io(p.model_mapping);
  io(p.max_concurrent);
  io(p.queue_timeout);
  io(p.max_fails);
  io(p.fail_timeout);
  io(p.health_check_interval);
  io(p.db_id);
}

template <typename Io, Is<ModelFallback> S>
void visit(Io& io, S& f) {
  io(f.model);
  io(f.fallbacks);
}

template <typename Io, Is<RateLimit> S>
void visit(Io& io, S& r) {
  io(r.requests_per_second);
  io(r.burst);
}

template <typename Io, Is<ModelLimit> S>
void visit(Io& io, S& m) {
  io(m.model);
  io(m.rate_limit);
  io(m.tokens_per_minute);
}

template <typename Io, Is<KeyConfig> S>
void visit(Io& io, S& k) {
  io(k.name);
  io(k.key_sha256);
  io(k.allowed_models);
  io(k.enabled);
  io(k.expires_at);
  io(k.rate_limit);
  io(k.tokens_per_minute);
  io(k.max_requests);
  io(k.model_limits);
  io(k.max_budget);
  io(k.soft_budget);
  io(k.budget_duration);
  io(k.cache);
  io(k.cache_namespace);
  io(k.db_id);
}

template <typename Io, Is<PriceConfig> S>
void visit(Io& io, S& p) {
  io(p.model);
  io(p.provider);
  io(p.input);
  io(p.output);
  io(p.cached_input);
  io(p.cache_write);
  io(p.db_id);
}

template <typename Io, Is<Config> S>
void visit(Io& io, S& c) {
  io(c.source);
  io(c.server);
  io(c.log);
  io(c.database);
  io(c.redis);
  io(c.cache);
  io(c.tracing);
  io(c.langfuse);
  io(c.providers);
  io(c.keys);
  io(c.fallbacks);
  io(c.prices);
}

// The largest valid value of each enum stored in a Config.
constexpr uint8_t enumMax(ListenAddress::Kind) {
  return static_cast<uint8_t>(ListenAddress::Kind::Unix);
}
constexpr uint8_t enumMax(ProviderType) { return static_cast<uint8_t>(ProviderType::Anthropic); }

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// ---- writer --------------------------------------------------------------------------------

class Writer {
 public:
  std::string take() { return std::move(out_); }

  void raw(const void* data, size_t n) { out_.append(static_cast<const char*>(data), n); }

  template <std::unsigned_integral T>
  void uint(T value) {
    for (size_t i = 0; i < sizeof(T); ++i)
      out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }

  template <typename T>
  void operator()(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      uint(static_cast<uint8_t>(value ? 1 : 0));
    } else if constexpr (std::is_enum_v<T>) {
      uint(static_cast<uint8_t>(value));
    } else if constexpr (std::is_same_v<T, double>) {
      uint(std::bit_cast<uint64_t>(value));
    } else if constexpr (std::is_integral_v<T>) {
      uint(static_cast<std::make_unsigned_t<T>>(value));
    } else if constexpr (std::is_same_v<T, Millis>) {
      uint(static_cast<uint64_t>(value.count()));
    } else if constexpr (std::is_same_v<T, std::string>) {
      uint(static_cast<uint32_t>(value.size()));
      raw(value.data(), value.size());
    } else if constexpr (std::is_same_v<T, Sha256>) {
      raw(value.data(), value.size());
    } else if constexpr (IsVector<T>::value) {
      uint(static_cast<uint32_t>(value.size()));
      for (const auto& element : value) (*this)(element);
    } else {
      visit(*this, value);
    }
  }

 private:
  std::string out_;
};

// ---- reader --------------------------------------------------------------------------------

// Every read is bounds-checked; after the first failure all reads are no-ops and ok() is false.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  bool atEnd() const { return at_ == data_.size(); }
  const std::string& why() const { return why_; }

  void fail(std::string why) {
    if (ok_) why_ = std::move(why);
    ok_ = false;
  }

  bool raw(void* out, size_t n) {
    if (!ok_) return false;
    if (n > data_.size() - at_) {
      fail("truncated at byte " + std::to_string(at_));
      return false;
    }
    std::memcpy(out, data_.data() + at_, n);
    at_ += n;
    return true;
  }

  template <std::unsigned_integral T>
  T uint() {
    unsigned char bytes[sizeof(T)] = {};
    if (!raw(bytes, sizeof(T))) return 0;
    T value = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<T>(static_cast<T>(bytes[i]) << (8 * i));
    return value;
  }

  // A length or count, which can never exceed the bytes left (every element takes at least one).
  uint32_t length() {
    uint32_t n = uint<uint32_t>();
    if (ok_ && n > data_.size() - at_) fail("length " + std::to_string(n) + " past the end");
    return ok_ ? n : 0;
  }

  template <typename T>
  void operator()(T& value) {
    if (!ok_) return;
    if constexpr (std::is_same_v<T, bool>) {
      uint8_t byte = uint<uint8_t>();
      if (byte > 1) fail("bad bool");
      value = byte == 1;
    } else if constexpr (std::is_enum_v<T>) {
      uint8_t byte = uint<uint8_t>();
      if (byte > enumMax(T{})) fail("bad enum value");
      value = static_cast<T>(byte);
    } else if constexpr (std::is_same_v<T, double>) {
      value = std::bit_cast<double>(uint<uint64_t>());
    } else if constexpr (std::is_integral_v<T>) {
      value = static_cast<T>(uint<std::make_unsigned_t<T>>());
    } else if constexpr (std::is_same_v<T, Millis>) {
      value = Millis{static_cast<Millis::rep>(uint<uint64_t>())};
    } else if constexpr (std::is_same_v<T, std::string>) {
      uint32_t n = length();
      value.resize(n);
      raw(value.data(), n);
    } else if constexpr (std::is_same_v<T, Sha256>) {
      raw(value.data(), value.size());
    } else if constexpr (IsVector<T>::value) {
      uint32_t n = length();
      value.clear();
      for (uint32_t i = 0; i < n && ok_; ++i) (*this)(value.emplace_back());
    } else {
      visit(*this, value);
    }
  }

 private:
  std::string_view data_;
  size_t at_ = 0;
  bool ok_ = true;
  std::string why_;
};

}  // namespace

std::string encodeConfig(const Config& config) {
  Writer writer;
  writer.raw(kMagic, sizeof(kMagic));
  writer.uint(kLayoutVersion);
  writer(config);
  return writer.take();
}

Result<Config> decodeConfig(std::string_view blob) {
  Reader reader(blob);
  char magic[sizeof(kMagic)] = {};
  if (!reader.raw(magic, sizeof(magic)) || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    return fail(ErrorKind::Internal, "config blob: bad magic");
  }
  uint32_t version = reader.uint<uint32_t>();
  if (!reader.ok() || version != kLayoutVersion) {
    return fail(ErrorKind::Internal, "config blob: layout version " + std::to_string(version) +
                                         ", expected " + std::to_string(kLayoutVersion));
  }
  Config config;
  reader(config);
  if (reader.ok() && !reader.atEnd()) reader.fail("trailing bytes");
  if (!reader.ok()) return fail(ErrorKind::Internal, "config blob: " + reader.why());
  return config;
}

}  // namespace llmproxy::common
