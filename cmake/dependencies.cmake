# Third-party libraries, all from Debian 12 packages (see docs/architecture.md for why each is here).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
find_package(OpenSSL 3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(simdjson REQUIRED)
find_package(Threads REQUIRED)

add_library(llmproxy_deps INTERFACE)
target_link_libraries(llmproxy_deps INTERFACE
  PkgConfig::LIBUV PkgConfig::HIREDIS PkgConfig::LIBSYSTEMD PkgConfig::RE2 PkgConfig::YAMLCPP
  OpenSSL::SSL OpenSSL::Crypto PostgreSQL::PostgreSQL spdlog::spdlog fmt::fmt
  tomlplusplus::tomlplusplus CLI11::CLI11 simdjson::simdjson Threads::Threads)
# toml++ is used as a compiled library, not header-only, to keep build times down.
target_compile_definitions(llmproxy_deps INTERFACE TOML_HEADER_ONLY=0)
