# Debian's hardening flags (what `dpkg-buildflags` gives with hardening=+all) for the product
# code in every optimised build, not only in the package build: the binary the tests run is the
# binary the packages ship, and `.ci/run` packages the tree `make test` built instead of
# compiling everything a second time (packaging/build-packages.sh, PACKAGE_REUSE_BUILD).
# Not under the sanitizers or at -O0 (fuzz, Debug): _FORTIFY_SOURCE needs the optimiser.
add_library(llmproxy_hardening INTERFACE)
string(TOUPPER "${CMAKE_BUILD_TYPE}" _llmproxy_build_type)
if(NOT LLMPROXY_SANITIZE AND NOT _llmproxy_build_type STREQUAL "DEBUG")
  target_compile_options(llmproxy_hardening INTERFACE
    -fstack-protector-strong -Wformat -Werror=format-security)
  target_compile_definitions(llmproxy_hardening INTERFACE _FORTIFY_SOURCE=2)
  target_link_options(llmproxy_hardening INTERFACE LINKER:-z,relro LINKER:-z,now)
endif()
