# make asan: AddressSanitizer + UndefinedBehaviorSanitizer over everything, tests included.
if(LLMPROXY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
