// setproctitle for Linux: overwrite the contiguous argv + environ area.
#include "master/proc_title.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

extern char** environ;

namespace llmproxy::master {
namespace {

char* g_area = nullptr;
size_t g_area_size = 0;

}  // namespace

void initProcTitle(int argc, char** argv) {
  if (argc <= 0 || !argv || !argv[0]) return;
  char* end = argv[0] + std::strlen(argv[0]) + 1;
  for (int i = 1; i < argc; ++i)
    if (argv[i] == end) end = argv[i] + std::strlen(argv[i]) + 1;
  size_t n = 0;
  while (environ[n]) ++n;
  // Move the environment to the heap so its memory can hold the title too.
  char** moved = new char*[n + 1];
  for (size_t i = 0; i < n; ++i) {
    if (environ[i] == end) end = environ[i] + std::strlen(environ[i]) + 1;
    moved[i] = strdup(environ[i]);
  }
  moved[n] = nullptr;
  environ = moved;
  // argv beyond [0] must stay readable for the CLI parser: callers copy argv before this.
  g_area = argv[0];
  g_area_size = static_cast<size_t>(end - argv[0]);
}

void setProcTitle(std::string_view title) {
  // NOTE: comm (/proc/pid/comm) stays "llmproxy" so `pgrep llmproxy` and killall keep working.
  if (!g_area || g_area_size < 2) return;
  const size_t n = std::min(title.size(), g_area_size - 1);
  std::memcpy(g_area, title.data(), n);
  std::memset(g_area + n, 0, g_area_size - n);
}

}  // namespace llmproxy::master
