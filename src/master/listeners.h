// Listening sockets, owned by the master: for each TCP address one SO_REUSEPORT socket per
// worker slot (nginx), so each worker has its own accept queue and a crashed worker's queue
// survives until its replacement accepts from it. A unix socket is one fd shared by all slots.
#pragma once

#include <string>
#include <vector>

#include "common/base/result.h"
#include "common/config/config.h"

namespace llmproxy::master {

enum class ListenerRole : uint8_t { Api, Admin };

struct BoundListener {
  common::ListenAddress address;
  ListenerRole role;
  std::vector<int> fds;  // fds[slot]; for unix sockets every entry is the same fd
};

class ListenerSet {
 public:
  ListenerSet() = default;
  ListenerSet(ListenerSet&&) noexcept;
  ListenerSet& operator=(ListenerSet&&) noexcept;
  ListenerSet(const ListenerSet&) = delete;
  ListenerSet& operator=(const ListenerSet&) = delete;
  ~ListenerSet();

  // Binds every API and admin address for `slots` worker slots.
  static common::Result<ListenerSet> bind(const common::ServerConfig& server, uint32_t slots);

  const std::vector<BoundListener>& listeners() const { return listeners_; }
  // The fds worker `slot` must keep (and accept on), with their role.
  std::vector<std::pair<int, ListenerRole>> fdsForSlot(uint32_t slot) const;
  void closeAll();

 private:
  std::vector<BoundListener> listeners_;
};

// True when the two configs listen on the same addresses with the same worker count (and the
// same unix socket mode, which is set when a socket is bound).
bool sameListeners(const common::ServerConfig& a, const common::ServerConfig& b);

}  // namespace llmproxy::master
