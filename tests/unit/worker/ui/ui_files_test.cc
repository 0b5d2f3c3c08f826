// UiFiles: what is kept of a UI directory (known types, regular files, no hidden files or
// symlinks, size caps) and exact-name lookups.
#include "worker/ui/ui_files.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace llmproxy::worker {
namespace {

using testing::TempDir;

TEST(UiFiles, KeepsKnownRegularFilesAndLooksThemUpExactly) {
  TempDir dir;
  dir.write("index.html", "<html>");
  dir.write("a/b/app.js", "js");
  dir.write("README", "no extension");
  dir.write(".env.js", "hidden");
  dir.write("big.js", std::string(UiFiles::kMaxFileSize + 1, 'x'));
  TempDir outside;
  outside.write("secret.js", "outside");
  std::filesystem::create_symlink(outside.file("secret.js"), dir.file("link.js"));
  std::filesystem::create_directory_symlink(outside.path(), dir.file("linked-dir"));

  const auto files = UiFiles::load(dir.path());
  EXPECT_TRUE(files->error().empty()) << files->error();
  EXPECT_EQ(files->size(), 2u);
  ASSERT_NE(files->find("index.html"), nullptr);
  EXPECT_EQ(files->find("index.html")->body, "<html>");
  EXPECT_EQ(files->find("index.html")->content_type, "text/html; charset=utf-8");
  ASSERT_NE(files->find("a/b/app.js"), nullptr);
  EXPECT_EQ(files->find("a/b/app.js")->content_type, "text/javascript; charset=utf-8");
  for (const char* name : {"README", ".env.js", "big.js", "link.js", "linked-dir/secret.js",
                           "/index.html", "a/../index.html", "a/b", "a//b/app.js", ""})
    EXPECT_EQ(files->find(name), nullptr) << name;
}

TEST(UiFiles, AnUnusableRootGivesAnEmptySetThatSaysWhy) {
  EXPECT_NE(UiFiles::load("")->error().find("empty"), std::string::npos);
  const auto missing = UiFiles::load("/nonexistent/llmproxy-ui");
  EXPECT_EQ(missing->size(), 0u);
  EXPECT_NE(missing->error().find("/nonexistent/llmproxy-ui"), std::string::npos);
  TempDir dir;
  dir.write("app.js", "js");
  EXPECT_NE(UiFiles::load(dir.path())->error().find("no index.html"), std::string::npos);
}

TEST(UiFiles, ContentTypes) {
  EXPECT_EQ(UiFiles::contentType("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(UiFiles::contentType("x.svg"), "image/svg+xml");
  EXPECT_EQ(UiFiles::contentType("x.map"), "application/json");
  EXPECT_EQ(UiFiles::contentType(".js"), "");  // a name, not only an extension
  EXPECT_EQ(UiFiles::contentType("x.exe"), "");
  EXPECT_EQ(UiFiles::contentType("x.JS"), "");
}

}  // namespace
}  // namespace llmproxy::worker
