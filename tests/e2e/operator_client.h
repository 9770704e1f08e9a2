// OperatorClient: calls the operator API of a ServerProcess with its admin
// token (or another token), for end-to-end tests.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <utility>

#include "e2e/server_process.h"
#include "net/https_client.h"

namespace quarry::e2e {

class OperatorClient {
 public:
  explicit OperatorClient(const ServerProcess& server, std::string token = "")
      : token_(token.empty() ? server.operator_token() : std::move(token)) {
    net::ClientOptions o;
    o.port = server.admin_port();
    o.ca_file = server.ca_file();
    client_ = std::make_unique<net::HttpsClient>(o);
  }

  // (HTTP status, parsed JSON body or null). Status 0 on a transport error.
  std::pair<int, boost::json::value> Call(const std::string& method, const std::string& path,
                                          const std::string& body = "", bool with_token = true) {
    net::HeaderList h;
    if (with_token) h.emplace_back("Authorization", "Bearer " + token_);
    auto r = client_->Request(method, path, body, h);
    if (!r) return {0, nullptr};
    last_body_ = r->body;
    boost::json::error_code ec;
    auto v = boost::json::parse(r->body, ec);
    return {r->status, ec ? boost::json::value(nullptr) : v};
  }

  // Creates a run; returns its id, or 0 (then last_body() says why).
  int64_t Run(const std::string& sql, const std::string& targets_json = "{\"all\":true}",
              const std::string& extra = "") {
    auto [status, v] = Call("POST", "/api/v1/runs",
                            "{\"sql\":" + boost::json::serialize(boost::json::value(sql)) +
                                ",\"targets\":" + targets_json + extra + "}");
    if (status != 201) return 0;
    return v.as_object().at("id").as_int64();
  }
  int64_t RunOnAll(const std::string& sql) { return Run(sql); }

  boost::json::value GetRun(int64_t id) { return Call("GET", "/api/v1/runs/" + std::to_string(id)).second; }

  net::HttpsClient& client() { return *client_; }
  const std::string& token() const { return token_; }
  const std::string& last_body() const { return last_body_; }

 private:
  std::string token_;
  std::unique_ptr<net::HttpsClient> client_;
  std::string last_body_;
};

}  // namespace quarry::e2e
