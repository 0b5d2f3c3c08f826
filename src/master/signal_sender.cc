// Signal delivery through the pid file.
#include "master/signal_sender.h"

#include <csignal>
#include <cstring>
#include <iostream>

#include "master/pidfile.h"

namespace llmproxy::master {

int sendSignal(const std::string& name, const std::string& pid_file) {
  int sig = 0;
  if (name == "reload") sig = SIGHUP;
  else if (name == "quit") sig = SIGQUIT;
  else if (name == "stop") sig = SIGTERM;
  else if (name == "reopen") sig = SIGUSR1;
  else {
    std::cerr << "llmproxy: invalid option: \"-s " << name << "\"\n";
    return 1;
  }
  auto pid = readPidFile(pid_file);
  if (!pid) {
    std::cerr << "llmproxy: [error] " << pid.error().detail << "\n";
    return 1;
  }
  if (kill(*pid, sig) != 0) {
    std::cerr << "llmproxy: [error] kill(" << *pid << ", " << sig << ") failed ("
              << std::strerror(errno) << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace llmproxy::master
