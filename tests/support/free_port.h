// freeTcpPort: asks the kernel for a currently unused loopback TCP port.
#pragma once

#include <cstdint>

namespace llmproxy::testing {

// Binds 127.0.0.1:0, reads the port the kernel chose and closes the socket. The port is free at
// return; another process could still take it before the caller binds it, which is rare enough
// for tests. Returns 0 only if no socket could be made at all.
uint16_t freeTcpPort();

}  // namespace llmproxy::testing
