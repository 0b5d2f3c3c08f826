// What stage 40 checks for each client key, built once per config generation: the key's own
// limits and its rate_limit_per_model overrides, each with its bucket scope (the local table's
// `model` argument) and its Redis key names.
//
// Overrides: the first pattern that matches the requested model (in file order) replaces the
// key's requests/s + burst and tokens/minute for that request; a field the override leaves out
// takes the key's value. An override has its own buckets, shared by every model the pattern
// matches; the key's own buckets are not charged for those models. max_requests stays per key.
//
// Redis key names carry the limit's parameters, so an edited limit starts with a fresh bucket
// and an unchanged one keeps its state across reloads (the same rule as the local table):
//   <prefix>rl:{<key>}:<scope>:req:<rps>:<burst>   <prefix>rl:{<key>}:<scope>:tpm:<tpm>
//   <prefix>rl:{<key>}:quota:<max_requests>
// ({<key>} is a Redis Cluster hash tag: one check's keys live in one slot.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "worker/auth/key_matcher.h"
#include "worker/limits/limiter.h"

namespace llmproxy::worker {

struct LimitScope {
  KeyLimits limits;
  std::string model;  // bucket scope: "" = the key's own buckets, else the override's pattern
  std::string redis_requests;
  std::string redis_tokens;
  std::string redis_quota;
};

struct KeyLimitPlan {
  struct Override {
    std::string pattern;
    StarPattern matcher;
    LimitScope scope;
  };

  LimitScope own;
  std::vector<Override> overrides;  // file order: the first match wins

  // The scope that limits a request for `model`.
  const LimitScope& forModel(std::string_view model) const;
};

// One plan per [[key]], same index.
std::vector<KeyLimitPlan> buildLimitPlans(const common::Config& config);

}  // namespace llmproxy::worker
