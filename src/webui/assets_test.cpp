#include "webui/assets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace quarry::webui {
namespace {

TEST(WebUiAssets, IndexIsAlwaysThere) {
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->mime, "text/html; charset=utf-8");
  EXPECT_FALSE(index->body.empty());
  EXPECT_EQ(FindAsset("/nope.html"), nullptr);
  EXPECT_EQ(FindAsset("index.html"), nullptr);
  EXPECT_EQ(FindAsset(""), nullptr);
}

TEST(WebUiAssets, SortedUniqueAndWellFormed) {
  auto all = AllAssets();
  ASSERT_FALSE(all.empty());
  for (size_t i = 0; i < all.size(); ++i) {
    const Asset& a = all[i];
    if (i > 0) {
      EXPECT_LT(all[i - 1].path, a.path);
    }
    EXPECT_EQ(a.path.front(), '/') << a.path;
    EXPECT_EQ(FindAsset(a.path), &a);
    // A quoted strong ETag.
    ASSERT_GE(a.etag.size(), 3u) << a.path;
    EXPECT_EQ(a.etag.front(), '"');
    EXPECT_EQ(a.etag.back(), '"');
    if (a.gzipped) {
      ASSERT_GE(a.body.size(), 18u);
      EXPECT_EQ(static_cast<unsigned char>(a.body[0]), 0x1f) << a.path;
      EXPECT_EQ(static_cast<unsigned char>(a.body[1]), 0x8b) << a.path;
    }
  }
}

// Assets must sit one path segment below /assets/ (the route is /assets/*).
TEST(WebUiAssets, BuiltUiHasHashedAssetsOneSegmentDeep) {
  EXPECT_EQ(WebUiBuilt(), static_cast<bool>(QUARRY_WEBUI_EXPECT_BUILT));
  int scripts = 0;
  for (const Asset& a : AllAssets()) {
    if (a.path == "/index.html") continue;
    ASSERT_EQ(a.path.rfind("/assets/", 0), 0u) << a.path;
    EXPECT_EQ(a.path.find('/', 8), std::string_view::npos) << a.path;
    if (a.mime.rfind("text/javascript", 0) == 0) ++scripts;
  }
  if (WebUiBuilt()) {
    EXPECT_GE(scripts, 1);
  } else {
    EXPECT_EQ(AllAssets().size(), 1u);
  }
}

}  // namespace
}  // namespace quarry::webui
