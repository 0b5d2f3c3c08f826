// systemd readiness notifications (Type=notify). No-ops when NOTIFY_SOCKET is unset.
#pragma once

#include <string_view>

namespace llmproxy::master {

void notifyReady();
void notifyReloading();
void notifyStopping();
void notifyStatus(std::string_view status);

}  // namespace llmproxy::master
