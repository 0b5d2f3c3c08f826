// Command-line parsing.
#include <gtest/gtest.h>

#include "master/cli.h"

namespace llmproxy::master {
namespace {

TEST(Cli, Defaults) {
  auto r = parseCli({});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->config_file, "/etc/llmproxy/llmproxy.conf");
  EXPECT_FALSE(r.options->pid_file);
  EXPECT_FALSE(r.options->foreground);
  EXPECT_FALSE(r.options->signal);
}

TEST(Cli, AllOptions) {
  auto r = parseCli({"-c", "/x.conf", "-p", "/run/x.pid", "-g", "-t", "-q"});
  ASSERT_TRUE(r.options) << r.output;
  EXPECT_EQ(r.options->config_file, "/x.conf");
  EXPECT_EQ(*r.options->pid_file, "/run/x.pid");
  EXPECT_TRUE(r.options->foreground);
  EXPECT_TRUE(r.options->test_config);
  EXPECT_TRUE(r.options->quiet);
  EXPECT_TRUE(parseCli({"--foreground"}).options->foreground);
  EXPECT_TRUE(parseCli({"-V"}).options->show_version);
}

TEST(Cli, Signals) {
  for (const char* s : {"reload", "quit", "stop", "reopen"}) {
    auto r = parseCli({"-s", s});
    ASSERT_TRUE(r.options) << s;
    EXPECT_EQ(*r.options->signal, s);
  }
  auto bad = parseCli({"-s", "restart"});
  EXPECT_FALSE(bad.options);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("invalid option: \"-s restart\""), std::string::npos) << bad.output;
}

TEST(Cli, HelpAndUnknownOption) {
  auto h = parseCli({"-h"});
  EXPECT_FALSE(h.options);
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("Usage: llmproxy"), std::string::npos);
  auto u = parseCli({"--bogus"});
  EXPECT_FALSE(u.options);
  EXPECT_EQ(u.exit_code, 1);
  auto missing = parseCli({"-c"});
  EXPECT_FALSE(missing.options);
  EXPECT_EQ(missing.exit_code, 1);
}

TEST(Cli, MigrateSubcommand) {
  auto r = parseCli({"migrate", "down", "2", "-d", "postgresql://h/db", "--migrations", "/m",
                     "-c", "/x.conf"});
  ASSERT_TRUE(r.options) << r.output;
  ASSERT_TRUE(r.options->tool);
  EXPECT_EQ(r.options->tool->command, "migrate");
  EXPECT_EQ(r.options->tool->args, (std::vector<std::string>{"down", "2"}));
  EXPECT_EQ(r.options->tool->database, "postgresql://h/db");
  EXPECT_EQ(r.options->tool->migrations_dir, "/m");
  EXPECT_FALSE(r.options->tool->all);
  EXPECT_EQ(r.options->config_file, "/x.conf");

  auto all = parseCli({"-c", "/y.conf", "migrate", "down", "--all"});
  ASSERT_TRUE(all.options) << all.output;
  EXPECT_TRUE(all.options->tool->all);
  EXPECT_EQ(all.options->config_file, "/y.conf");

  auto missing = parseCli({"migrate"});
  EXPECT_FALSE(missing.options);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(parseCli({}).options->tool);
}

TEST(Cli, ImportConfigSubcommand) {
  auto r = parseCli({"import-config", "seed.yaml", "--database", "postgresql://h/db"});
  ASSERT_TRUE(r.options) << r.output;
  ASSERT_TRUE(r.options->tool);
  EXPECT_EQ(r.options->tool->command, "import-config");
  EXPECT_EQ(r.options->tool->args, (std::vector<std::string>{"seed.yaml"}));
  EXPECT_EQ(r.options->tool->database, "postgresql://h/db");
  EXPECT_FALSE(parseCli({"import-config", "a.yaml", "b.yaml"}).options);
}

}  // namespace
}  // namespace llmproxy::master
