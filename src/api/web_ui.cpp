#include "api/web_ui.h"

#include <boost/json.hpp>
#include <algorithm>
#include <cctype>

#include "api/http_errors.h"
#include "base/log.h"
#include "net/gzip.h"
#include "webui/assets.h"

namespace quarry::api {
namespace json = boost::json;
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

// The largest asset inflated for a client that does not accept gzip.
constexpr size_t kMaxInflatedAssetBytes = 64 * 1024 * 1024;
// POST /api/v1/session bodies hold one token.
constexpr size_t kSessionBodyBytes = 16 * 1024;

constexpr char kIndexCache[] = "no-cache";
constexpr char kAssetCache[] = "public, max-age=31536000, immutable";
// The UI loads only its own files and talks only to its own origin. ECharts
// tooltips carry inline style attributes, hence 'unsafe-inline' for styles.
constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether an Accept-Encoding value allows gzip: "gzip" or "*" listed without q=0.
bool AcceptsGzip(std::string_view accept) {
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    if (!EqualsNoCase(coding, "gzip") && coding != "*") continue;
    bool refused = false;
    while (semi != std::string_view::npos) {
      std::string_view rest = item.substr(semi + 1);
      semi = rest.find(';');
      std::string_view param = Trim(rest.substr(0, semi));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string_view q = Trim(param.substr(2));
        refused = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
      }
      item = rest;
    }
    if (!refused) return true;
  }
  return false;
}

// Whether If-None-Match lists `etag` (weak comparison, as RFC 9110 asks for GET).
bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (Trim(if_none_match) == "*") return true;
  while (!if_none_match.empty()) {
    size_t comma = if_none_match.find(',');
    std::string_view tag = Trim(if_none_match.substr(0, comma));
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

// The gzip representation's ETag: the identity one with "-gz" inside the quotes
// (a strong validator names one representation, content coding included).
std::string GzipEtag(std::string_view etag) {
  std::string out(etag);
  out.insert(out.size() - 1, "-gz");
  return out;
}

HttpResponse AssetResponse(const HttpRequest& request, const webui::Asset& asset,
                           const char* cache_control) {
  auto accept = request.Header("Accept-Encoding");
  const bool send_gzip = asset.gzipped && accept && AcceptsGzip(*accept);
  const std::string gzip_etag = GzipEtag(asset.etag);
  HttpResponse r;
  r.content_type = std::string(asset.mime);
  r.headers.emplace_back("Cache-Control", cache_control);
  r.headers.emplace_back("ETag", send_gzip ? gzip_etag : std::string(asset.etag));
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (asset.mime.rfind("text/html", 0) == 0) {
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Frame-Options", "DENY");
  }
  // Either representation's tag revalidates: both carry the same content.
  if (auto inm = request.Header("If-None-Match");
      inm && (EtagMatches(*inm, asset.etag) || EtagMatches(*inm, gzip_etag))) {
    r.status = 304;
    return r;
  }
  if (!asset.gzipped) {
    r.body = std::string(asset.body);
  } else if (send_gzip) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = std::string(asset.body);
  } else {
    auto inflated = net::GunzipCapped(asset.body, kMaxInflatedAssetBytes, 0);
    if (!inflated) {
      log::Error("web UI asset {}: {}", asset.path, inflated.error().message);
      return ErrorResponse(500, "internal error");
    }
    r.body = std::move(*inflated);
  }
  return r;
}

net::Endpoint StaticEndpoint(net::Handler handler) {
  net::Endpoint e;
  e.handler = std::move(handler);
  e.body_limit = 0;
  e.inflated_limit = 0;
  return e;
}

// RFC 6265 cookie-octet: what a cookie value may hold without quoting.
bool IsCookieValue(std::string_view v) {
  for (unsigned char c : v) {
    bool ok = c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
              (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
    if (!ok) return false;
  }
  return true;
}

std::string SessionCookie(std::string_view value, bool clear) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) +
                  "; Path=/; Secure; HttpOnly; SameSite=Strict";
  if (clear) c += "; Max-Age=0";
  return c;
}

void CreateSession(const OperatorAuth& auth, HttpRequest& request, const Reply& reply) {
  // A JSON content type makes a cross-site form or no-cors fetch impossible
  // without a CORS preflight, which this server never grants: no login CSRF.
  auto type = request.Header("Content-Type");
  if (!type || !EqualsNoCase(Trim(type->substr(0, type->find(';'))), "application/json")) {
    return reply(ErrorResponse(415, "send the token as JSON (Content-Type: application/json)"));
  }
  json::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::value* token = !ec && body.is_object() ? body.as_object().if_contains("token") : nullptr;
  if (token == nullptr || !token->is_string() || token->as_string().empty()) {
    return reply(ErrorResponse(400, "token: expected a non-empty string"));
  }
  std::string_view value(token->as_string().data(), token->as_string().size());
  if (!IsCookieValue(value)) {
    return reply(ErrorResponse(400, "token: holds characters a cookie cannot carry"));
  }
  // Check the token exactly as a later API call will present it.
  HttpRequest probe;
  probe.method = "GET";
  probe.path = "/api/v1/whoami";
  probe.headers.emplace_back("Authorization", "Bearer " + std::string(value));
  auto caller = auth.Check(probe);
  if (!caller) return reply(ErrorResponse(caller.error()));
  HttpResponse r = JsonResponse(json::serialize(
      json::object{{"name", caller->name}, {"role", store::TokenRoleName(caller->role)}}));
  r.headers.emplace_back("Set-Cookie", SessionCookie(value, false));
  r.headers.emplace_back("Cache-Control", "no-store");
  reply(std::move(r));
}

}  // namespace

void AddWebUiRoutes(RouteTable& routes, const OperatorAuth& auth, BlockingPool& pool,
                    const config::Limits& limits) {
  auto index = StaticEndpoint([](HttpRequest&& request, Reply reply) {
    const webui::Asset* asset = webui::FindAsset("/index.html");
    if (asset == nullptr) return reply(ErrorResponse(404, "no web UI in this build"));
    reply(AssetResponse(request, *asset, kIndexCache));
  });
  routes.Add("GET", "/", index);
  routes.Add("GET", "/index.html", index);
  routes.Add("GET", "/assets/*", StaticEndpoint([](HttpRequest&& request, Reply reply) {
               const webui::Asset* asset = webui::FindAsset(request.path);
               if (asset == nullptr) return reply(ErrorResponse(404, "not found"));
               reply(AssetResponse(request, *asset, kAssetCache));
             }));

  net::Endpoint create;
  create.body_limit = std::min<size_t>(kSessionBodyBytes, limits.admin_body_bytes);
  create.inflated_limit = create.body_limit;
  const OperatorAuth* auth_ptr = &auth;
  BlockingPool* pool_ptr = &pool;
  create.handler = [auth_ptr, pool_ptr](HttpRequest&& request, Reply reply) {
    auto task = [auth_ptr, request = std::move(request), reply]() mutable {
      try {
        CreateSession(*auth_ptr, request, reply);
      } catch (const std::exception& e) {
        log::Error("POST /api/v1/session: {}", e.what());
        reply(ErrorResponse(500, "internal error"));
      }
    };
    if (!pool_ptr->Submit(std::move(task))) reply(ErrorResponse(503, "server busy; try again"));
  };
  routes.Add("POST", "/api/v1/session", std::move(create));
  routes.Add("DELETE", "/api/v1/session", StaticEndpoint([](HttpRequest&&, Reply reply) {
               HttpResponse r = JsonResponse("{}");
               r.headers.emplace_back("Set-Cookie", SessionCookie("", true));
               r.headers.emplace_back("Cache-Control", "no-store");
               reply(std::move(r));
             }));
}

}  // namespace quarry::api
