#include "proto/agent_messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace quarry::proto {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Bodies exactly as osqueryd 5.x writes them (compact RapidJSON output, key
// orders from the protocol reference).
constexpr char kEnrollBody[] =
    R"({"enroll_secret":"s3cret","host_identifier":"7f1d5c1e-0d3a-4b8e-9a44-1b2c3d4e5f60",)"
    R"("platform_type":"9","host_details":{"os_version":{"arch":"x86_64","build":"",)"
    R"("codename":"jammy","major":"22","minor":"4","name":"Ubuntu","patch":"0",)"
    R"j("platform":"ubuntu","platform_like":"debian","version":"22.04.4 LTS (Jammy Jellyfish)"},)j"
    R"("osquery_info":{"build_distro":"centos7","build_platform":"linux","config_hash":"",)"
    R"("config_valid":"0","extensions":"active","instance_id":"b3c1","pid":"4242",)"
    R"("platform_mask":"9","start_time":"1767607200","uuid":"7f1d5c1e","version":"5.23.1",)"
    R"("watcher":"4241"},"platform_info":{"address":"0xe8000","date":"04/01/2014",)"
    R"("extra":"","firmware_type":"bios","revision":"","size":"","vendor":"SeaBIOS",)"
    R"("version":"1.16.2","volume_size":""},"system_info":{"board_model":"","board_serial":"",)"
    R"("board_vendor":"","board_version":"","computer_name":"web-01","cpu_brand":"AMD EPYC",)"
    R"("cpu_logical_cores":"2","cpu_microcode":"","cpu_physical_cores":"2","cpu_sockets":"1",)"
    R"("cpu_subtype":"1","cpu_type":"x86_64","hardware_model":"Standard PC",)"
    R"("hardware_serial":"SN-123","hardware_vendor":"QEMU","hardware_version":"pc-q35",)"
    R"("hostname":"web-01.example.internal","local_hostname":"web-01",)"
    R"("physical_memory":"4102029312","uuid":"7F1D5C1E-0D3A-4B8E-9A44-1B2C3D4E5F60"}}})";

constexpr char kStatusLine[] =
    R"({"hostIdentifier":"web-01","calendarTime":"Mon Jan  5 10:00:00 2026 UTC",)"
    R"("unixTime":1767607200,"severity":1,"filename":"scheduler.cpp","line":83,)"
    R"("message":"Executing scheduled query uptime","version":"5.23.1"})";

constexpr char kEventLine[] =
    R"({"name":"pack_base_processes","hostIdentifier":"web-01",)"
    R"("calendarTime":"Mon Jan  5 10:00:00 2026 UTC","unixTime":1767607200,"epoch":0,)"
    R"("counter":3,"numerics":false,"decorations":{"host_uuid":"7F1D"},)"
    R"("columns":{"name":"sshd","pid":"811"},"action":"added"})";

constexpr char kBatchLine[] =
    R"({"diffResults":{"removed":[{"pid":"1"}],"added":[{"pid":"2"}]},"name":"procs",)"
    R"("hostIdentifier":"web-01","calendarTime":"Mon Jan  5 10:00:00 2026 UTC",)"
    R"("unixTime":1767607201,"epoch":0,"counter":1,"numerics":false})";

constexpr char kSnapshotLine[] =
    R"({"snapshot":[{"days":"1","hours":"2"},{"days":"1","hours":"3"}],"action":"snapshot",)"
    R"("name":"uptime","hostIdentifier":"web-01","calendarTime":"Mon Jan  5 10:00:00 2026 UTC",)"
    R"("unixTime":1767607202,"epoch":0,"counter":0,"numerics":false})";

std::string Uncompressed(const std::string& lines, const std::string& type) {
  return R"({"data":[)" + lines + R"(],"log_type":")" + type + R"(","node_key":"nk1"})";
}
std::string Compressed(const std::string& lines, const std::string& type) {
  return R"({"node_key":"nk1","log_type":")" + type + R"(","data":[)" + lines + "]}";
}

constexpr char kWriteBody[] =
    R"({"queries":{"q1":[{"name":"sshd","pid":"811"},{"name":"cron","pid":"512"}],)"
    R"("q2":[],"q3":[]},"statuses":{"q1":0,"q2":1,"q3":1},)"
    R"("messages":{"q1":"","q2":"no such table: foo","q3":"distributed query is denylisted"},)"
    R"("stats":{"q1":{"wall_time_ms":3,"user_time":2,"system_time":1,"memory":4096},)"
    R"("q2":{"wall_time_ms":0,"user_time":0,"system_time":0,"memory":0},"q3":{}},)"
    R"("node_key":"nk1"})";

// ---- enroll ----

TEST(ParseEnrollTest, RealBody) {
  Result<EnrollRequest> r = ParseEnroll(kEnrollBody);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->enroll_secret, "s3cret");
  const store::HostIdentity& id = r->identity;
  EXPECT_EQ(id.host_identifier, "7f1d5c1e-0d3a-4b8e-9a44-1b2c3d4e5f60");
  EXPECT_EQ(id.platform_type, "9");
  EXPECT_EQ(id.platform, "ubuntu");
  EXPECT_EQ(id.os_name, "Ubuntu");
  EXPECT_EQ(id.os_version, "22.04.4 LTS (Jammy Jellyfish)");
  EXPECT_EQ(id.osquery_version, "5.23.1");
  EXPECT_EQ(id.hostname, "web-01.example.internal");
  EXPECT_EQ(id.hardware_uuid, "7F1D5C1E-0D3A-4B8E-9A44-1B2C3D4E5F60");
  EXPECT_EQ(id.hardware_serial, "SN-123");
  // The whole object, byte for byte.
  const std::string body = kEnrollBody;
  const size_t start = body.find(R"("host_details":)") + 15;
  EXPECT_EQ(id.host_details_json, body.substr(start, body.size() - start - 1));
}

TEST(ParseEnrollTest, MinimalBodyAndFallbacks) {
  Result<EnrollRequest> r = ParseEnroll(R"({"host_identifier":"h1"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->enroll_secret, "");
  EXPECT_EQ(r->identity.hostname, "h1");  // falls back to host_identifier
  EXPECT_EQ(r->identity.platform_type, "");
  EXPECT_EQ(r->identity.host_details_json, "");
}

TEST(ParseEnrollTest, NumericPlatformTypeAndUnknownKeys) {
  Result<EnrollRequest> r =
      ParseEnroll(R"({"platform_type":21,"extra":[1,{"x":null}],"host_identifier":"mac",)"
                  R"("host_details":{"system_info":{"hostname":""}} , "enroll_secret":"s"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->identity.platform_type, "21");
  EXPECT_EQ(r->identity.hostname, "mac");  // empty hostname falls back too
  EXPECT_EQ(r->identity.host_details_json, R"({"system_info":{"hostname":""}})");
}

TEST(ParseEnrollTest, EscapedStringsAreUnescaped) {
  Result<EnrollRequest> r =
      ParseEnroll(R"({"host_identifier":"a\"b\\c\u00e9","enroll_secret":"x\ny"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->identity.host_identifier, "a\"b\\c\xc3\xa9");
  EXPECT_EQ(r->enroll_secret, "x\ny");
}

// ---- node key ----

TEST(ParseNodeKeyTest, EscapedNamesAreUnescaped) {
  EXPECT_EQ(ParseNodeKey(R"({"node\u005fkey":"k","x\n":{"\"":"\u00e9"}})").value(), "k");
}

TEST(ParseNodeKeyTest, Shapes) {
  EXPECT_EQ(ParseNodeKey(R"({"node_key":"abc"})").value(), "abc");
  EXPECT_EQ(ParseNodeKey("").value(), "");
  EXPECT_EQ(ParseNodeKey("  \n").value(), "");
  EXPECT_EQ(ParseNodeKey("{}").value(), "");
  EXPECT_EQ(ParseNodeKey(R"({"other":1,"node_key":"k2"})").value(), "k2");
}

// ---- log ----

TEST(ParseLogTest, UncompressedStatusBody) {
  Result<LogRequest> r = ParseLog(Uncompressed(std::string(kStatusLine), "status"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->node_key, "nk1");
  EXPECT_EQ(r->type, store::LogType::kStatus);
  ASSERT_EQ(r->lines.size(), 1u);
  const store::LogLine& line = r->lines[0];
  EXPECT_EQ(line.raw_json, kStatusLine);
  EXPECT_EQ(line.unix_time, 1767607200);
  EXPECT_EQ(line.severity, 1);
  EXPECT_EQ(line.name, "scheduler.cpp");
  EXPECT_EQ(line.action, "");
  EXPECT_EQ(line.message, "Executing scheduled query uptime");
  EXPECT_EQ(line.host_identifier, "web-01");
}

TEST(ParseLogTest, CompressedResultBodyWithAllThreeShapes) {
  const std::string lines = std::string(kEventLine) + "," + kBatchLine + "," + kSnapshotLine;
  for (const std::string& body : {Compressed(lines, "result"), Uncompressed(lines, "result")}) {
    Result<LogRequest> r = ParseLog(body);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->type, store::LogType::kResult);
    ASSERT_EQ(r->lines.size(), 3u);
    EXPECT_EQ(r->lines[0].raw_json, kEventLine);
    EXPECT_EQ(r->lines[0].name, "pack_base_processes");
    EXPECT_EQ(r->lines[0].action, "added");
    EXPECT_EQ(r->lines[0].unix_time, 1767607200);
    EXPECT_EQ(r->lines[1].raw_json, kBatchLine);
    EXPECT_EQ(r->lines[1].name, "procs");
    EXPECT_EQ(r->lines[1].action, "");
    EXPECT_EQ(r->lines[2].raw_json, kSnapshotLine);
    EXPECT_EQ(r->lines[2].action, "snapshot");
    EXPECT_EQ(r->lines[2].unix_time, 1767607202);
    for (const store::LogLine& line : r->lines) {
      EXPECT_EQ(line.host_identifier, "web-01");
      EXPECT_EQ(line.severity, 0);
      EXPECT_EQ(line.message, "");
    }
  }
}

TEST(ParseLogTest, RawLinesDropSurroundingWhitespace) {
  Result<LogRequest> r =
      ParseLog("{ \"log_type\" : \"result\", \"data\" : [ {\"a\" : 1}\n , {\"b\":[ ]}\t] }");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->lines.size(), 2u);
  EXPECT_EQ(r->lines[0].raw_json, "{\"a\" : 1}");
  EXPECT_EQ(r->lines[1].raw_json, "{\"b\":[ ]}");
  EXPECT_EQ(r->node_key, "");  // may come from the Authorization header
}

TEST(ParseLogTest, LegacyStringNumbersAndOddFieldTypes) {
  // Pre-5.10 agents wrote unixTime as a string; odd types are kept, not refused.
  Result<LogRequest> r = ParseLog(
      R"({"log_type":"status","data":[{"unixTime":"1767607200","severity":"2","filename":7},)"
      R"({"unixTime":1.7676072e9,"severity":[1],"message":{"m":1}},{"unixTime":1e400}]})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->lines.size(), 3u);
  EXPECT_EQ(r->lines[0].unix_time, 1767607200);
  EXPECT_EQ(r->lines[0].severity, 2);
  EXPECT_EQ(r->lines[0].name, "");
  EXPECT_EQ(r->lines[1].unix_time, 1767607200);
  EXPECT_EQ(r->lines[1].severity, 0);
  EXPECT_EQ(r->lines[1].message, "");
  EXPECT_EQ(r->lines[2].unix_time, 0);
}

TEST(ParseLogTest, EmptyData) {
  Result<LogRequest> r = ParseLog(R"({"data":[],"log_type":"result","node_key":"k"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->lines.empty());
}

TEST(ParseLogTest, InPlaceAndCopiedBodiesAgree) {
  const std::string lines = std::string(kEventLine) + "," + kSnapshotLine;
  std::string tight = Compressed(lines, "result");
  tight.shrink_to_fit();
  std::string roomy = tight;
  roomy.reserve(roomy.size() + kPadding + 1);
  ASSERT_GE(roomy.capacity() - roomy.size(), kPadding);
  Result<LogRequest> a = ParseLog(tight);
  Result<LogRequest> b = ParseLog(roomy);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->lines.size(), b->lines.size());
  for (size_t i = 0; i < a->lines.size(); ++i)
    EXPECT_EQ(a->lines[i].raw_json, b->lines[i].raw_json);
}

TEST(ParseLogTest, ThreadsParseConcurrently) {
  const std::string body = Compressed(std::string(kEventLine) + "," + kStatusLine, "result");
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) ok[t] += ParseLog(body).has_value() ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(ok, ElementsAre(500, 500, 500, 500));
}

TEST(ParseLogTest, LargeBodyReleasesAndReusesParser) {
  // ~20 MiB: past the retained-capacity bound, then a small body on the same thread.
  std::string lines;
  const std::string line(kEventLine);
  while (lines.size() < 20u * 1024 * 1024) lines += line + ",";
  lines.pop_back();
  Result<LogRequest> big = ParseLog(Compressed(lines, "result"));
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_GT(big->lines.size(), 1000u);
  EXPECT_TRUE(ParseLog(Compressed(line, "result")));
}

// ---- distributed write ----

TEST(ParseDistributedWriteTest, RealBody) {
  Result<DistributedWriteRequest> r = ParseDistributedWrite(kWriteBody);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->node_key, "nk1");
  ASSERT_EQ(r->answers.size(), 3u);
  const store::QueryAnswer& q1 = r->answers[0];
  EXPECT_EQ(q1.query_id, "q1");
  EXPECT_EQ(q1.run, 0);
  EXPECT_EQ(q1.status, 0);
  EXPECT_EQ(q1.message, "");
  EXPECT_THAT(q1.rows_json,
              ElementsAre(R"({"name":"sshd","pid":"811"})", R"({"name":"cron","pid":"512"})"));
  EXPECT_TRUE(q1.stats.present);
  EXPECT_EQ(q1.stats.wall_time_ms, 3);
  EXPECT_EQ(q1.stats.user_time, 2);
  EXPECT_EQ(q1.stats.system_time, 1);
  EXPECT_EQ(q1.stats.memory, 4096);
  const store::QueryAnswer& q2 = r->answers[1];
  EXPECT_EQ(q2.status, 1);
  EXPECT_EQ(q2.message, "no such table: foo");
  EXPECT_TRUE(q2.rows_json.empty());
  EXPECT_TRUE(q2.stats.present);
  const store::QueryAnswer& q3 = r->answers[2];
  EXPECT_EQ(q3.message, "distributed query is denylisted");
  EXPECT_FALSE(q3.stats.present);  // denylisted: stats {}
}

TEST(ParseDistributedWriteTest, EveryIdGetsOneAnswer) {
  // Pre-5.8 agents: no stats; string statuses as in osquery's docs; ids that
  // appear only in statuses or messages still get an answer.
  Result<DistributedWriteRequest> r = ParseDistributedWrite(
      R"({"node_key":"k","statuses":{"only_status":"2","q1":"0"},)"
      R"("messages":{"only_message":"m"},"queries":{"q1":[{"a":"1"}],"rows_only":[{"b":"2"}]}})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->answers.size(), 4u);
  EXPECT_EQ(r->answers[0].query_id, "only_status");
  EXPECT_EQ(r->answers[0].status, 2);
  EXPECT_TRUE(r->answers[0].rows_json.empty());
  EXPECT_EQ(r->answers[1].query_id, "q1");
  EXPECT_EQ(r->answers[1].status, 0);
  EXPECT_THAT(r->answers[1].rows_json, ElementsAre(R"({"a":"1"})"));
  EXPECT_EQ(r->answers[2].query_id, "only_message");
  EXPECT_EQ(r->answers[2].message, "m");
  EXPECT_EQ(r->answers[3].query_id, "rows_only");
  EXPECT_EQ(r->answers[3].status, 0);  // missing status = success
  EXPECT_FALSE(r->answers[3].stats.present);
}

TEST(ParseDistributedWriteTest, DuplicateColumnsKeptVerbatim) {
  Result<DistributedWriteRequest> r = ParseDistributedWrite(
      R"({"queries":{"q":[{"pid":"1","pid":"1","name":"x\u0041"}]},"statuses":{"q":0}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_THAT(r->answers[0].rows_json, ElementsAre(R"({"pid":"1","pid":"1","name":"x\u0041"})"));
}

TEST(ParseDistributedWriteTest, EmptyMapsAndHugeStats) {
  Result<DistributedWriteRequest> r = ParseDistributedWrite(
      R"({"queries":{},"statuses":{},"messages":{},"stats":{"q":{"memory":18446744073709551615}}})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->answers[0].stats.memory, INT64_MAX);  // saturates rather than refusing
}

TEST(ParseDistributedWriteTest, RowsAreValidJsonWhenReparsed) {
  Result<DistributedWriteRequest> r = ParseDistributedWrite(kWriteBody);
  ASSERT_TRUE(r);
  for (const store::QueryAnswer& answer : r->answers) {
    for (const std::string& row : answer.rows_json) {
      boost::json::error_code ec;
      boost::json::value v = boost::json::parse(row, ec);
      EXPECT_FALSE(ec) << row;
      EXPECT_TRUE(v.is_object());
    }
  }
}

// ---- malformed input ----

enum class Parser { kEnroll, kNodeKey, kLog, kWrite };

struct Malformed {
  Parser parser;
  std::string body;
  std::string message_part;  // the error message must contain this
};

std::optional<Error> ParseError(Parser parser, const std::string& body) {
  switch (parser) {
    case Parser::kEnroll: {
      auto r = ParseEnroll(body);
      if (r) return std::nullopt;
      return r.error();
    }
    case Parser::kNodeKey: {
      auto r = ParseNodeKey(body);
      if (r) return std::nullopt;
      return r.error();
    }
    case Parser::kLog: {
      auto r = ParseLog(body);
      if (r) return std::nullopt;
      return r.error();
    }
    case Parser::kWrite: {
      auto r = ParseDistributedWrite(body);
      if (r) return std::nullopt;
      return r.error();
    }
  }
  return std::nullopt;
}

std::string Nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "[";
  for (int i = 0; i < depth; ++i) s += "]";
  return s;
}

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.body.substr(0, 80); }

class MalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedTest, RefusedWithFieldName) {
  const Malformed& m = GetParam();
  std::optional<Error> error = ParseError(m.parser, m.body);
  ASSERT_TRUE(error.has_value()) << "accepted: " << m.body;
  EXPECT_EQ(error->code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(error->message, HasSubstr(m.message_part)) << m.body;
}

const Malformed kMalformed[] = {
    // Not a JSON object at all.
    {Parser::kNodeKey, "not json", "root: expected a JSON object"},
    {Parser::kNodeKey, "<html>502</html>", "root: expected a JSON object"},
    {Parser::kNodeKey, R"({"node_key":"abc)", "invalid JSON"},
    {Parser::kNodeKey, R"({"node_key":"abc")", "invalid JSON"},
    {Parser::kNodeKey, R"({"node_key":"abc",)", "invalid JSON"},
    {Parser::kNodeKey, R"(["node_key"])", "root: expected a JSON object"},
    {Parser::kNodeKey, R"("node_key")", "root: expected a JSON object"},
    {Parser::kNodeKey, "42", "root: expected a JSON object"},
    {Parser::kNodeKey, "null", "root: expected a JSON object"},
    {Parser::kNodeKey, R"({"node_key":"a"} x)", "invalid JSON"},
    {Parser::kNodeKey, R"({"node_key":"a"}})", "trailing content"},
    {Parser::kNodeKey, R"({"node_key":"a"}{"b":1})", "trailing content"},
    {Parser::kNodeKey, R"({"node_key":"a",})", "invalid JSON"},
    {Parser::kNodeKey, R"({"node_key" "a"})", "invalid JSON"},
    {Parser::kNodeKey, "{\"node_key\":\"\xff\xfe\"}", "UTF-8"},
    {Parser::kNodeKey, "{\"node_key\":\"a\x01\"}", "invalid JSON"},
    {Parser::kNodeKey, R"({"node_key":"\x"})", "node_key: invalid JSON"},
    {Parser::kNodeKey, R"({"node_key":"\ud800"})", "node_key: invalid JSON"},
    {Parser::kNodeKey, R"({"node_key":7})", "node_key: expected a string"},
    {Parser::kNodeKey, R"({"node_key":null})", "node_key: expected a string"},
    // Unknown members are ignored but must still be JSON.
    {Parser::kNodeKey, R"({"x":[1}],"node_key":"a"})", "x"},
    {Parser::kNodeKey, R"({"x":tru,"node_key":"a"})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"x":nul})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"x":01})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"x":1.})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"x":-})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"x":12abc})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"x":1 2})", "invalid JSON"},
    {Parser::kNodeKey, R"({"x":{"y" 1}})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({1:2})", "invalid JSON"},
    {Parser::kNodeKey, R"({"x":{1:2}})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"a\qb":1})", "invalid JSON"},
    {Parser::kNodeKey, R"({"x":{"a\qb":1}})", "x: invalid JSON"},
    {Parser::kNodeKey, R"({"x":["\u12"]})", "x[0]: invalid JSON"},
    {Parser::kNodeKey, R"({"x":)" + Nested(100) + "}", "nested deeper than 64"},
    // Enroll.
    {Parser::kEnroll, "", "empty body"},
    {Parser::kEnroll, "{}", "host_identifier: missing"},
    {Parser::kEnroll, R"({"host_identifier":""})", "host_identifier: must not be empty"},
    {Parser::kEnroll, R"({"host_identifier":5})", "host_identifier: expected a string"},
    {Parser::kEnroll, R"({"host_identifier":"h","enroll_secret":1})",
     "enroll_secret: expected a string"},
    {Parser::kEnroll, R"({"host_identifier":"h","platform_type":true})",
     "platform_type: expected a string"},
    {Parser::kEnroll, R"({"host_identifier":"h","platform_type":-1})", "platform_type"},
    {Parser::kEnroll, R"({"host_identifier":"h","host_details":"x"})",
     "host_details: expected an object"},
    {Parser::kEnroll, R"({"host_identifier":"h","host_details":null})",
     "host_details: expected an object"},
    {Parser::kEnroll, R"({"host_identifier":"h","host_details":{"os_version":[]}})",
     "host_details.os_version: expected an object"},
    {Parser::kEnroll, R"({"host_identifier":"h","host_details":{"os_version":{"platform":9}}})",
     "host_details.os_version.platform: expected a string"},
    {Parser::kEnroll, R"({"host_identifier":"h","host_details":{"system_info":{"hostname":null}}})",
     "host_details.system_info.hostname: expected a string"},
    {Parser::kEnroll, R"({"host_identifier":"h","host_details":{"platform_info":{"a":[}}})",
     "host_details.platform_info"},
    // Log.
    {Parser::kLog, "", "empty body"},
    {Parser::kLog, " \t", "empty body"},
    {Parser::kLog, R"({"data":[]})", "log_type: missing"},
    {Parser::kLog, R"({"log_type":"result"})", "data: missing"},
    {Parser::kLog, R"({"log_type":"snapshot","data":[]})", "log_type: expected"},
    {Parser::kLog, R"({"log_type":1,"data":[]})", "log_type: expected a string"},
    {Parser::kLog, R"({"log_type":"result","data":{}})", "data: expected an array"},
    {Parser::kLog, R"({"log_type":"result","data":null})", "data: expected an array"},
    {Parser::kLog, R"({"log_type":"result","data":[{},"{\"a\":1}"]})",
     "data[1]: expected an object"},
    {Parser::kLog, R"({"log_type":"result","data":[{},{},7]})", "data[2]: expected an object"},
    {Parser::kLog, R"({"log_type":"result","data":[[]]})", "data[0]: expected an object"},
    {Parser::kLog, R"({"log_type":"result","data":[{"columns":{"a":[1}}}]})", "data[0]"},
    {Parser::kLog, R"({"log_type":"result","data":[{"name":"\q"}]})", "data[0].name"},
    {Parser::kLog, R"({"log_type":"result","data":[{"unixTime":1x}]})", "data[0].unixTime"},
    {Parser::kLog, R"({"log_type":"result","data":[{"a":1})", "invalid JSON"},
    {Parser::kLog, R"({"log_type":"result","node_key":[],"data":[]})",
     "node_key: expected a string"},
    {Parser::kLog, R"({"log_type":"result","data":[{"c":)" + Nested(70) + "}]}",
     "nested deeper than 64"},
    // Distributed write.
    {Parser::kWrite, "", "empty body"},
    {Parser::kWrite, "[]", "root: expected a JSON object"},
    {Parser::kWrite, R"({"queries":[]})", "queries: expected an object"},
    {Parser::kWrite, R"({"queries":{"q1":null}})", "queries.q1: expected an array"},
    {Parser::kWrite, R"({"queries":{"q1":{}}})", "queries.q1: expected an array"},
    {Parser::kWrite, R"({"queries":{"q1":"rows"}})", "queries.q1: expected an array"},
    {Parser::kWrite, R"({"queries":{"q1":[{},"x"]}})", "queries.q1[1]: expected an object"},
    {Parser::kWrite, R"({"queries":{"q1":[{"a":"1",}]}})", "queries.q1[0]"},
    {Parser::kWrite, R"({"statuses":"0"})", "statuses: expected an object"},
    {Parser::kWrite, R"({"statuses":{"q1":"x"}})", "statuses.q1: expected an integer"},
    {Parser::kWrite, R"({"statuses":{"q1":"1.5"}})", "statuses.q1: expected an integer"},
    {Parser::kWrite, R"({"statuses":{"q1":1.5}})", "statuses.q1: expected an integer"},
    {Parser::kWrite, R"({"statuses":{"q1":null}})", "statuses.q1: expected an integer"},
    {Parser::kWrite, R"({"statuses":{"q1":true}})", "statuses.q1: expected an integer"},
    {Parser::kWrite, R"({"statuses":{"q1":99999999999}})", "statuses.q1: integer out of range"},
    {Parser::kWrite, R"({"messages":{"q1":0}})", "messages.q1: expected a string"},
    {Parser::kWrite, R"({"messages":[]})", "messages: expected an object"},
    {Parser::kWrite, R"({"stats":{"q1":[]}})", "stats.q1: expected an object"},
    {Parser::kWrite, R"({"stats":{"q1":null}})", "stats.q1: expected an object"},
    {Parser::kWrite, R"({"stats":{"q1":{"wall_time_ms":"3"}}})",
     "stats.q1.wall_time_ms: expected an integer"},
    {Parser::kWrite, R"({"stats":{"q1":{"memory":1.5}}})", "stats.q1.memory: expected an integer"},
    {Parser::kWrite, R"({"node_key":false})", "node_key: expected a string"},
};

INSTANTIATE_TEST_SUITE_P(AllParsers, MalformedTest, ::testing::ValuesIn(kMalformed));

// ---- responses ----

TEST(RenderTest, ExactBytes) {
  EXPECT_EQ(RenderEnrollAccepted("k\"1"), R"({"node_key":"k\"1","node_invalid":false})");
  EXPECT_EQ(RenderEnrollRefused(), R"({"node_invalid":true})");
  EXPECT_EQ(RenderNodeInvalid(), R"({"node_invalid":true})");
  EXPECT_EQ(RenderEmptyObject(), "{}");
  EXPECT_EQ(RenderError("bad \"body\""), R"({"error":"bad \"body\""})");
}

TEST(RenderTest, DistributedRead) {
  EXPECT_EQ(RenderDistributedRead({}, 0), R"({"queries":{}})");
  EXPECT_EQ(RenderDistributedRead({{"q1", "SELECT 1;"}, {"q2", "SELECT \"x\";"}}, 60),
            R"({"queries":{"q1":"SELECT 1;","q2":"SELECT \"x\";"},"accelerate":60})");
  EXPECT_EQ(RenderDistributedRead({{"q1", "SELECT 1;"}}, -5), R"({"queries":{"q1":"SELECT 1;"}})");
}

TEST(RenderTest, OnlyRenderErrorHasAnErrorKey) {
  for (const std::string& body :
       {RenderEnrollAccepted("k"), RenderEnrollRefused(), RenderNodeInvalid(), RenderEmptyObject(),
        RenderDistributedRead({{"error", "SELECT 1"}}, 10)}) {
    boost::json::value v = boost::json::parse(body);
    EXPECT_FALSE(v.as_object().contains("error")) << body;
  }
}

TEST(RenderTest, RoundTripThroughParsers) {
  // What the server renders, an agent-side parser accepts; and the node key
  // round-trips through the request shape.
  EXPECT_EQ(ParseNodeKey(R"({"node_key":")" + std::string("abc") + R"("})").value(), "abc");
  boost::json::value v = boost::json::parse(RenderEnrollAccepted("xyz"));
  EXPECT_EQ(v.at("node_key").as_string(), "xyz");
  EXPECT_EQ(v.at("node_invalid").as_bool(), false);
}

}  // namespace
}  // namespace quarry::proto
