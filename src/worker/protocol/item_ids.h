// Responses output item ids that carry their item, so that a client's later
// {"type":"item_reference","id":…} (what @ai-sdk/openai sends with store: true, its default)
// can be resolved on any worker of any node, with no state kept: the id is
// "<kind>_c1" + base64url(item JSON) + "." + base64url(tag), the tag a truncated HMAC-SHA256
// of the kind and the item under a key derived from the configuration's secrets (setItemIdKey:
// nodes with the same configuration derive the same key). A client cannot make the gateway
// accept an item it did not get: an id whose tag does not verify resolves to nothing.
// Bounded: an item whose JSON is over kMaxCarriedItem bytes gets an id that carries nothing
// (responsesItemId), and a reference to it is refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::worker::protocol {

inline constexpr size_t kMaxCarriedItem = 16 * 1024;

// The key of every later id: SHA-256 of a fixed label, the admin key and every provider's
// api_key (in configuration order). Called for each configuration the worker builds.
void setItemIdKey(const common::Config& config);
// The same from raw material (tests).
void setItemIdKeyMaterial(std::string_view material);

// The id of an item whose JSON (with an empty "id") is `item`; `fallback` when the item is
// over kMaxCarriedItem.
std::string carryingItemId(std::string_view kind, std::string_view item, std::string fallback);

// The item JSON `id` carries, when it carries one and its tag verifies.
std::optional<std::string> carriedItem(std::string_view id);

}  // namespace llmproxy::worker::protocol
