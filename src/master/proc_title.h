// Process titles as `ps` shows them ("llmproxy: master process ..."), nginx's way: the
// environment is moved to the heap so argv's memory can be overwritten.
#pragma once

#include <string_view>

namespace llmproxy::master {

// Call once at the very start of main, before anything reads environ.
void initProcTitle(int argc, char** argv);
void setProcTitle(std::string_view title);

}  // namespace llmproxy::master
