// sd_notify through libsystemd; it reads NOTIFY_SOCKET itself and ignores an unset one.
#include "master/sd_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace llmproxy::master {
namespace {

void send(const std::string& state) { sd_notify(0, state.c_str()); }

}  // namespace

void notifyReady() { send("READY=1\nSTATUS=serving"); }

void notifyReloading() {
  // systemd >= 253 wants MONOTONIC_USEC with RELOADING=1; older versions ignore it.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const unsigned long long usec =
      static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + ts.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notifyStopping() { send("STOPPING=1"); }

void notifyStatus(std::string_view status) { send("STATUS=" + std::string(status)); }

}  // namespace llmproxy::master
