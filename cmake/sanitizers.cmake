# make asan: AddressSanitizer + UndefinedBehaviorSanitizer over everything, tests included.
if(LLMPROXY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
# make fuzz: every object is instrumented for libFuzzer's coverage and checked by ASan + UBSan;
# the fuzz targets alone link libFuzzer's main (tests/fuzz/CMakeLists.txt).
if(LLMPROXY_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
