// Loop initialisation that notes the descriptors the loop opened.
#include "common/uv/loop_fds.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

namespace llmproxy::common {

std::vector<int> openFds() {
  std::vector<int> out;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  const int own = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == own) continue;
    out.push_back(static_cast<int>(fd));
  }
  closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

int initLoopRecordingFds(uv_loop_t* loop, std::vector<int>& fds) {
  uv_loop_t probe;
  if (uv_loop_init(&probe) == 0) uv_loop_close(&probe);
  const std::vector<int> before = openFds();
  const int rc = uv_loop_init(loop);
  if (rc != 0) return rc;
  const std::vector<int> after = openFds();
  fds.clear();
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(fds));
  // Without /proc the listing is empty; the epoll fd is still known through the public API.
  const int backend = uv_backend_fd(loop);
  if (backend >= 0 && std::find(fds.begin(), fds.end(), backend) == fds.end())
    fds.push_back(backend);
  return 0;
}

}  // namespace llmproxy::common
