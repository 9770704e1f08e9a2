#include "api/web_ui.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "base/secret.h"
#include "net/gzip.h"
#include "webui/assets.h"

namespace quarry::api {
namespace {

using net::HttpRequest;
using net::HttpResponse;

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

class WebUiRoutesTest : public ::testing::Test {
 protected:
  WebUiRoutesTest() : pool_(1) {
    InitSecrets();
    auth_.AddBootstrapToken("0123abcd", Role::kOperator, "ops");
    AddWebUiRoutes(routes_, auth_, pool_, config::Limits{});
  }

  // Calls the routed handler and waits (bounded) for its reply.
  HttpResponse Call(std::string method, std::string path, net::HeaderList headers = {},
                    std::string body = "") {
    const net::Endpoint* e = routes_.Find(method, path);
    EXPECT_NE(e, nullptr) << method << " " << path;
    if (e == nullptr) return HttpResponse{};
    HttpRequest r;
    r.method = std::move(method);
    r.path = path;
    r.target = path;
    r.headers = std::move(headers);
    r.body = std::move(body);
    auto p = std::make_shared<std::promise<HttpResponse>>();
    auto f = p->get_future();
    e->handler(std::move(r), [p](HttpResponse resp) { p->set_value(std::move(resp)); });
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }

  OperatorAuth auth_;
  BlockingPool pool_;
  RouteTable routes_;
};

TEST_F(WebUiRoutesTest, IndexIsNotCachedAndRevalidates) {
  const webui::Asset* index = webui::FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  HttpResponse r = Call("GET", "/", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
  std::string gz_etag(index->etag);
  gz_etag.insert(gz_etag.size() - 1, "-gz");
  EXPECT_EQ(HeaderOf(r, "ETag"), index->gzipped ? gz_etag : std::string(index->etag));
  EXPECT_EQ(HeaderOf(Call("GET", "/"), "ETag"), index->etag);
  EXPECT_NE(HeaderOf(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);

  HttpResponse again = Call("GET", "/index.html", {{"If-None-Match", std::string(index->etag)}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Call("GET", "/", {{"If-None-Match", "\"other\", W/" + std::string(index->etag)}}).status, 304);
  EXPECT_EQ(Call("GET", "/", {{"If-None-Match", gz_etag}}).status, 304);
  EXPECT_EQ(Call("GET", "/", {{"If-None-Match", "\"other\""}}).status, 200);
}

TEST_F(WebUiRoutesTest, GzipOnlyForClientsThatAcceptIt) {
  for (const webui::Asset& a : webui::AllAssets()) {
    if (!a.gzipped) continue;
    std::string path = a.path == "/index.html" ? "/" : std::string(a.path);
    HttpResponse gz = Call("GET", path, {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(HeaderOf(gz, "Content-Encoding"), "gzip");
    EXPECT_EQ(HeaderOf(gz, "Vary"), "Accept-Encoding");
    auto plain_from_gz = net::GunzipCapped(gz.body, 1 << 26);
    ASSERT_TRUE(plain_from_gz.has_value());

    for (const char* accept : {"", "identity", "gzip;q=0, identity", "br"}) {
      net::HeaderList h;
      if (*accept) h.emplace_back("Accept-Encoding", accept);
      HttpResponse plain = Call("GET", path, h);
      EXPECT_EQ(plain.status, 200);
      EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "") << accept;
      EXPECT_EQ(plain.body, *plain_from_gz) << accept;
    }
    EXPECT_EQ(HeaderOf(Call("GET", path, {{"Accept-Encoding", "*"}}), "Content-Encoding"), "gzip");
    EXPECT_EQ(HeaderOf(Call("GET", path, {{"Accept-Encoding", "deflate, GZIP;q=0.5"}}),
                       "Content-Encoding"),
              "gzip");
  }
}

TEST_F(WebUiRoutesTest, HashedAssetsAreImmutable) {
  int seen = 0;
  for (const webui::Asset& a : webui::AllAssets()) {
    if (a.path.rfind("/assets/", 0) != 0) continue;
    ++seen;
    HttpResponse r = Call("GET", std::string(a.path), {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, a.mime);
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=31536000, immutable");
  }
  EXPECT_EQ(seen > 0, webui::WebUiBuilt());
  EXPECT_EQ(Call("GET", "/assets/missing-1234.js").status, 404);
}

TEST_F(WebUiRoutesTest, SessionSetsAStrictSecureHttpOnlyCookie) {
  HttpResponse r = Call("POST", "/api/v1/session", {{"Content-Type", "application/json"}},
                        R"({"token":"0123abcd"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"name":"ops","role":"operator"})");
  EXPECT_EQ(HeaderOf(r, "Set-Cookie"),
            "quarry_session=0123abcd; Path=/; Secure; HttpOnly; SameSite=Strict");

  // The cookie then authenticates, as the operator API will see it.
  HttpRequest with_cookie;
  with_cookie.headers.emplace_back("Cookie", "other=1; quarry_session=0123abcd");
  auto caller = auth_.Check(with_cookie);
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->name, "ops");

  HttpResponse out = Call("DELETE", "/api/v1/session");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(HeaderOf(out, "Set-Cookie"),
            "quarry_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
}

TEST_F(WebUiRoutesTest, SessionRefusesBadTokensAndNonJson) {
  auto post = [&](std::string type, std::string body) {
    return Call("POST", "/api/v1/session", {{"Content-Type", type}}, std::move(body));
  };
  HttpResponse unknown = post("application/json", R"({"token":"nope"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(HeaderOf(unknown, "Set-Cookie"), "");
  EXPECT_EQ(post("application/json", R"({"token":""})").status, 400);
  EXPECT_EQ(post("application/json", R"({"tok":"0123abcd"})").status, 400);
  EXPECT_EQ(post("application/json", "not json").status, 400);
  EXPECT_EQ(post("application/json", R"({"token":"a b"})").status, 400);
  EXPECT_EQ(post("application/json", R"({"token":"a;b"})").status, 400);
  // A cross-site form can send text/plain without a preflight: refused.
  EXPECT_EQ(post("text/plain", R"({"token":"0123abcd"})").status, 415);
  EXPECT_EQ(post("Application/JSON; charset=utf-8", R"({"token":"0123abcd"})").status, 200);
}

}  // namespace
}  // namespace quarry::api
