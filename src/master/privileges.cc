// Resolving and dropping the workers' identity (see privileges.h).
#include "master/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace llmproxy::master {

using common::ErrorKind;
using common::fail;

namespace {

std::string sysError(const std::string& call) {
  return call + " failed (" + std::to_string(errno) + ": " + std::strerror(errno) + ")";
}

// getpwnam_r / getgrnam_r want a caller buffer; 64 KiB holds any sane entry.
constexpr size_t kNssBuffer = 64 * 1024;

}  // namespace

common::Result<WorkerCredentials> resolveWorkerCredentials(const common::ServerConfig& server,
                                                           uid_t euid) {
  WorkerCredentials c;
  if (euid != 0) {
    std::vector<char> buf(kNssBuffer);
    if (!server.user.empty()) {
      passwd pw{};
      passwd* found = nullptr;
      c.ignored |= getpwnam_r(server.user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 ||
                   !found || pw.pw_uid != euid;
    }
    if (!server.group.empty()) {
      group gr{};
      group* g = nullptr;
      c.ignored |= getgrnam_r(server.group.c_str(), &gr, buf.data(), buf.size(), &g) != 0 ||
                   !g || gr.gr_gid != getegid();
    }
    return c;
  }
  if (server.user.empty())
    return fail(ErrorKind::Internal,
                "llmproxy runs as root and server.user is not set: set server.user to the "
                "account the workers run as (user = \"root\" keeps them root, explicitly)");
  std::vector<char> buf(kNssBuffer);
  passwd pw{};
  passwd* found = nullptr;
  const int rc = getpwnam_r(server.user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || !found)
    return fail(ErrorKind::Internal,
                "server.user: no user \"" + server.user + "\"" +
                    (rc != 0 ? std::string(" (") + std::strerror(rc) + ")" : std::string()));
  c.drop = true;
  c.uid = pw.pw_uid;
  c.gid = pw.pw_gid;
  c.user = server.user;
  if (server.group.empty()) {
    group gr{};
    group* g = nullptr;
    std::vector<char> gbuf(kNssBuffer);
    c.group = getgrgid_r(c.gid, &gr, gbuf.data(), gbuf.size(), &g) == 0 && g
                  ? std::string(gr.gr_name)
                  : std::to_string(c.gid);
    return c;
  }
  group gr{};
  group* g = nullptr;
  std::vector<char> gbuf(kNssBuffer);
  const int grc = getgrnam_r(server.group.c_str(), &gr, gbuf.data(), gbuf.size(), &g);
  if (grc != 0 || !g)
    return fail(ErrorKind::Internal,
                "server.group: no group \"" + server.group + "\"" +
                    (grc != 0 ? std::string(" (") + std::strerror(grc) + ")" : std::string()));
  c.gid = gr.gr_gid;
  c.group = server.group;
  return c;
}

common::Result<void> dropPrivileges(const WorkerCredentials& c) {
  if (!c.drop) return {};
  // Supplementary groups first (root's would survive setuid), then the group while we may
  // still change it, then the user.
  if (setgroups(1, &c.gid) != 0) return fail(ErrorKind::Internal, sysError("setgroups()"));
  if (setgid(c.gid) != 0)
    return fail(ErrorKind::Internal, sysError("setgid(" + std::to_string(c.gid) + ")"));
  if (setuid(c.uid) != 0)
    return fail(ErrorKind::Internal, sysError("setuid(" + std::to_string(c.uid) + ")"));
  if (getuid() != c.uid || geteuid() != c.uid || getgid() != c.gid || getegid() != c.gid)
    return fail(ErrorKind::Internal, "the worker's ids did not change to " + c.user + ":" +
                                         c.group);
  if (c.uid != 0 && setuid(0) == 0)
    return fail(ErrorKind::Internal, "setuid(0) succeeded after dropping to " + c.user);
  return {};
}

common::Result<void> handToWorkers(const WorkerCredentials& c, const std::string& path) {
  if (!c.drop || c.uid == 0 || path.empty() || path == "stderr" || path == "stdout" ||
      path == "off")
    return {};
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return {};
  if (::chown(path.c_str(), c.uid, c.gid) != 0)
    return fail(ErrorKind::Internal, sysError("chown(\"" + path + "\")"));
  return {};
}

}  // namespace llmproxy::master
