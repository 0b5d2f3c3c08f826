// Who the workers run as: `server.user` / `server.group` resolved by a master started as root,
// the drop itself (setgroups, setgid, setuid, each checked) in a freshly forked worker, and
// handing the files workers must open (logs, unix sockets) to that user. nginx's model.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/base/result.h"
#include "common/config/config.h"

namespace llmproxy::master {

struct WorkerCredentials {
  bool drop = false;  // false: workers keep the master's identity (the master is not root)
  // Not root, and user/group name an account other than the master's own: the directives
  // cannot be applied (the caller warns). Naming the master's own account is silent, so the
  // packaged config's `user = "llmproxy"` fits both a root start and the unit's.
  bool ignored = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;   // names, for log lines
  std::string group;
};

// What the workers run as when the master runs with effective uid `euid`. As root, a
// `server.user` is required (`user = "root"` is the explicit way to keep root workers);
// `group` defaults to the user's primary group. Not root: the directives are ignored (see
// `ignored`). Errors name the directive and the reason.
common::Result<WorkerCredentials> resolveWorkerCredentials(const common::ServerConfig& server,
                                                           uid_t euid);

// In the worker, before it touches anything: setgroups({gid}), setgid, setuid, in that order,
// each checked, then a check that root cannot be regained. Returns the failing call's message.
common::Result<void> dropPrivileges(const WorkerCredentials& credentials);

// Gives `path` to the workers' user and group, so a worker can reopen it after the drop (log
// files, unix sockets). A no-op when nothing is dropped or the path is not a file.
common::Result<void> handToWorkers(const WorkerCredentials& credentials, const std::string& path);

}  // namespace llmproxy::master
