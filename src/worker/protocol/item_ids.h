// Responses output item ids that carry their item, so that a client's later
// {"type":"item_reference","id":…} (what @ai-sdk/openai sends with store: true, its default)
// can be resolved on any worker of any node, with no state kept: the id is
// "<kind>_c1" + base64url(item JSON) + "." + base64url(tag), the tag a truncated HMAC-SHA256
// of the kind and the item under a key derived from the configuration's secrets (setItemIdKey:
// nodes with the same configuration derive the same key). A client cannot make the gateway
// accept an item it did not get: an id whose tag does not verify resolves to nothing.
// Bounded: an item whose JSON is over kMaxCarriedItem bytes gets an id that carries nothing
// (responsesItemId), and a reference to it is refused.
//
// A streamed item's id is written before the item exists, so it cannot carry it: the
// Responses stream writer keeps each finished item in the node's item store
// (common/shm/item_store.h) under its id instead, and an id of a streamed item then ends in
// 16 random characters, so that no id an upstream repeats (some servers number their answers)
// names another conversation's item. With the store off (or absent: tests, tools) streamed ids
// are the plain responsesItemId and nothing is kept.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/shm/item_store.h"

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

// The node's store of streamed items for this process (worker start; null = off).
void setStreamedItemStore(common::ItemStore* store);
// The id of a streamed item: responsesItemId, plus "_" and a random tail when the store is on.
std::string streamedItemId(std::string_view kind, std::string_view response_id, size_t index);
// Keeps a finished streamed item (its JSON, with its id or without) under `id`; nothing when
// the store is off or the item is over kMaxCarriedItem.
void keepStreamedItem(std::string_view id, std::string_view item);

// The item an item_reference's id names: the one it carries, else the one the node's store
// kept for it (an item streamed on this node within the store's time and size).
std::optional<std::string> referencedItem(std::string_view id);

}  // namespace llmproxy::worker::protocol
