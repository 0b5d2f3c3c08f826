# Warnings for our own code only (never for llhttp's generated C).
add_library(llmproxy_warnings INTERFACE)
target_compile_options(llmproxy_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Wformat=2
  # g++ 12 reports false -Wrestrict positives inside libstdc++ string code at -O2 (clang, used
  # by make fuzz, has no such option).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
if(LLMPROXY_WERROR)
  target_compile_options(llmproxy_warnings INTERFACE -Werror)
endif()
