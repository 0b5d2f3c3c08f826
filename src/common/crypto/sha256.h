// SHA-256 digests (OpenSSL EVP) and their hex form: how client keys are stored and looked up.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::common {

// The SHA-256 digest of `data`. Never fails (OpenSSL allocation failure aborts).
Sha256 sha256(std::string_view data);

// Lower-case hex, 64 characters.
std::string toHex(const Sha256& digest);

// Parses 64 hex digits (either case); nullopt for any other length or a non-hex character.
std::optional<Sha256> sha256FromHex(std::string_view hex);

}  // namespace llmproxy::common
