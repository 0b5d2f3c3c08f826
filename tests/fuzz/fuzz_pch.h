// The precompiled header of the fuzzed sources (tests/fuzz/CMakeLists.txt): at -O0 parsing
// simdjson and the standard library is most of each source's compile, and CI pays a cold build
// of this library on every run. Nothing here is required: every source includes what it uses.
#pragma once

#include <simdjson.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
