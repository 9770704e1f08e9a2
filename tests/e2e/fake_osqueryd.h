// FakeOsqueryd: a test client that speaks to the server the way osqueryd does
// (../shared/reference/osquery-remote-api.md): the same headers, body shapes and
// key orders, gzip logger bodies, and re-enrollment after node_invalid.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "net/https_client.h"

namespace quarry::e2e {

struct AgentPaths {
  std::string enroll = "/api/v1/osquery/enroll";
  std::string config = "/api/v1/osquery/config";
  std::string log = "/api/v1/osquery/log";
  std::string read = "/api/v1/osquery/distributed/read";
  std::string write = "/api/v1/osquery/distributed/write";
};

struct AgentReply {
  int status = 0;  // HTTP status (osqueryd ignores it; tests look)
  boost::json::object body;
  std::string raw;
  bool transport_ok = false;
};

class FakeOsqueryd {
 public:
  FakeOsqueryd(uint16_t port, std::string ca_file, std::string host_identifier,
               std::string enroll_secret, AgentPaths paths = {});

  // POST enroll with realistic host_details; stores the node key on success.
  AgentReply Enroll();
  AgentReply Config();
  // Sends `lines` (each a JSON object text) as one logger POST.
  AgentReply Log(const std::string& log_type, const std::vector<std::string>& lines, bool gzip);
  AgentReply Read();
  // `answers`: id -> rows (JSON array text), status, message.
  struct Answer {
    std::string id;
    std::string rows_json = "[]";
    int status = 0;
    std::string message;
  };
  AgentReply Write(const std::vector<Answer>& answers);

  // Like osqueryd's request helper: on {"node_invalid": true} drop the key,
  // enroll again, and repeat the request once.
  AgentReply WithReenroll(const std::function<AgentReply()>& request);

  // What the host says it runs (os_version.platform and osquery's bitmask).
  void set_platform(std::string platform, std::string platform_type) {
    platform_ = std::move(platform);
    platform_type_ = std::move(platform_type);
  }

  const std::string& node_key() const { return node_key_; }
  void set_node_key(std::string key) { node_key_ = std::move(key); }
  int enrollments() const { return enrollments_; }
  net::HttpsClient& client() { return *client_; }

  // A status log line and an event-format result line, as osqueryd writes them.
  std::string StatusLine(const std::string& message, int severity = 0) const;
  std::string ResultLine(const std::string& name, const std::string& action,
                         const std::string& columns_json) const;

 private:
  AgentReply Send(const std::string& path, const std::string& body, bool gzip, bool with_key);

  std::unique_ptr<net::HttpsClient> client_;
  std::string host_identifier_;
  std::string enroll_secret_;
  AgentPaths paths_;
  std::string node_key_;
  std::string platform_ = "debian";
  std::string platform_type_ = "9";
  int enrollments_ = 0;
};

}  // namespace quarry::e2e
