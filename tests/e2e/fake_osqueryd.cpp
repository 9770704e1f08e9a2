#include "e2e/fake_osqueryd.h"

#include <ctime>

#include "net/gzip.h"

namespace quarry::e2e {
namespace json = boost::json;

namespace {
std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }
}  // namespace

FakeOsqueryd::FakeOsqueryd(uint16_t port, std::string ca_file, std::string host_identifier,
                           std::string enroll_secret, AgentPaths paths)
    : host_identifier_(std::move(host_identifier)),
      enroll_secret_(std::move(enroll_secret)),
      paths_(std::move(paths)) {
  net::ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.ca_file = std::move(ca_file);
  client_ = std::make_unique<net::HttpsClient>(o);
}

AgentReply FakeOsqueryd::Send(const std::string& path, const std::string& body, bool gzip,
                              bool with_key) {
  net::HeaderList headers = {{"Content-Type", "application/json"},
                             {"Accept", "application/json"},
                             {"User-Agent", "osquery/5.23.1"}};
  if (with_key && !node_key_.empty()) headers.emplace_back("Authorization", "NodeKey " + node_key_);
  std::string payload = body;
  if (gzip) {
    headers.emplace_back("Content-Encoding", "gzip");
    payload = net::Gzip(body, 9);
  }
  AgentReply reply;
  auto r = client_->Post(path, payload, headers);
  if (!r) return reply;
  reply.transport_ok = true;
  reply.status = r->status;
  reply.raw = r->body;
  json::error_code ec;
  auto v = json::parse(r->body, ec);
  if (!ec && v.is_object()) reply.body = v.as_object();
  return reply;
}

AgentReply FakeOsqueryd::Enroll() {
  // Key order as osqueryd sends it; host_details tables in alphabetical order,
  // their columns alphabetical, all values strings.
  std::string body =
      "{\"enroll_secret\":" + JsonString(enroll_secret_) +
      ",\"host_identifier\":" + JsonString(host_identifier_) +
      ",\"platform_type\":\"" + platform_type_ + "\",\"host_details\":{"
      "\"os_version\":{\"arch\":\"x86_64\",\"build\":\"\",\"codename\":\"bookworm\",\"major\":\"12\","
      "\"minor\":\"0\",\"name\":\"Debian GNU/Linux\",\"patch\":\"0\",\"platform\":\"" + platform_ + "\","
      "\"platform_like\":\"\",\"version\":\"12 (bookworm)\"},"
      "\"osquery_info\":{\"build_distro\":\"centos7\",\"build_platform\":\"linux\","
      "\"config_hash\":\"\",\"config_valid\":\"0\",\"extensions\":\"active\",\"instance_id\":"
      "\"5e1f1c0a-0000-4000-8000-000000000001\",\"pid\":\"1234\",\"platform_mask\":\"9\","
      "\"start_time\":\"1764480000\",\"uuid\":\"4C4C4544-0000-0000-0000-" +
      host_identifier_.substr(0, 12) +
      "\",\"version\":\"5.23.1\",\"watcher\":\"1233\"},"
      "\"system_info\":{\"computer_name\":" + JsonString(host_identifier_) +
      ",\"cpu_brand\":\"AMD EPYC\",\"cpu_logical_cores\":\"2\",\"cpu_physical_cores\":\"2\","
      "\"hardware_serial\":\"SN-" + host_identifier_ + "\",\"hardware_vendor\":\"QEMU\","
      "\"hostname\":" + JsonString(host_identifier_ + ".example.internal") +
      ",\"physical_memory\":\"25769803776\",\"uuid\":\"uuid-" + host_identifier_ + "\"}}}";
  AgentReply r = Send(paths_.enroll, body, false, /*with_key=*/false);
  auto it = r.body.find("node_key");
  if (it != r.body.end() && it->value().is_string() && !it->value().as_string().empty()) {
    node_key_ = std::string(it->value().as_string());
    ++enrollments_;
  }
  return r;
}

AgentReply FakeOsqueryd::Config() {
  return Send(paths_.config, "{\"node_key\":" + JsonString(node_key_) + "}", false, true);
}

AgentReply FakeOsqueryd::Log(const std::string& log_type, const std::vector<std::string>& lines,
                             bool gzip) {
  std::string data = "[";
  for (size_t i = 0; i < lines.size(); ++i) data += (i ? "," : "") + lines[i];
  data += "]";
  // The key order differs between compressed and plain bodies (reference 4.1).
  std::string body = gzip ? "{\"node_key\":" + JsonString(node_key_) + ",\"log_type\":\"" +
                                log_type + "\",\"data\":" + data + "}"
                          : "{\"data\":" + data + ",\"log_type\":\"" + log_type +
                                "\",\"node_key\":" + JsonString(node_key_) + "}";
  return Send(paths_.log, body, gzip, true);
}

AgentReply FakeOsqueryd::Read() {
  return Send(paths_.read, "{\"node_key\":" + JsonString(node_key_) + "}", false, true);
}

AgentReply FakeOsqueryd::Write(const std::vector<Answer>& answers) {
  std::string queries, statuses, messages, stats;
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& a = answers[i];
    std::string sep = i ? "," : "";
    queries += sep + JsonString(a.id) + ":" + a.rows_json;
    statuses += sep + JsonString(a.id) + ":" + std::to_string(a.status);
    messages += sep + JsonString(a.id) + ":" + JsonString(a.message);
    stats += sep + JsonString(a.id) +
             ":{\"wall_time_ms\":3,\"user_time\":1,\"system_time\":1,\"memory\":4096}";
  }
  std::string body = "{\"queries\":{" + queries + "},\"statuses\":{" + statuses +
                     "},\"messages\":{" + messages + "},\"stats\":{" + stats +
                     "},\"node_key\":" + JsonString(node_key_) + "}";
  return Send(paths_.write, body, false, true);
}

AgentReply FakeOsqueryd::WithReenroll(const std::function<AgentReply()>& request) {
  AgentReply r = request();
  auto it = r.body.find("node_invalid");
  if (it != r.body.end() && it->value().is_bool() && it->value().as_bool()) {
    node_key_.clear();
    Enroll();
    r = request();
  }
  return r;
}

std::string FakeOsqueryd::StatusLine(const std::string& message, int severity) const {
  return "{\"hostIdentifier\":" + JsonString(host_identifier_) +
         ",\"calendarTime\":\"Mon Nov 30 05:00:00 2026 UTC\",\"unixTime\":1764478800,"
         "\"severity\":" + std::to_string(severity) +
         ",\"filename\":\"scheduler.cpp\",\"line\":83,\"message\":" + JsonString(message) +
         ",\"version\":\"5.23.1\"}";
}

std::string FakeOsqueryd::ResultLine(const std::string& name, const std::string& action,
                                     const std::string& columns_json) const {
  return "{\"name\":" + JsonString(name) + ",\"hostIdentifier\":" + JsonString(host_identifier_) +
         ",\"calendarTime\":\"Mon Nov 30 05:00:00 2026 UTC\",\"unixTime\":1764478800,"
         "\"epoch\":0,\"counter\":0,\"numerics\":false,\"columns\":" + columns_json +
         ",\"action\":" + JsonString(action) + "}";
}

}  // namespace quarry::e2e
