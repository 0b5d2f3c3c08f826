// The precompiled header of the test binaries (tests/CMakeLists.txt): what most test sources
// include, parsed once per binary instead of once per source. Nothing here is required by a
// test: every source still includes what it uses, and builds without it.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <expected>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>
