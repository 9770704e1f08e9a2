// libFuzzer target for proto/'s agent-body parsers.
//
// Beyond "no crash, no sanitizer report", it checks two properties against an
// independent JSON parser (Boost.JSON):
//  1. whatever a parser accepts is valid JSON, and every text it keeps verbatim
//     (log lines, result rows, host_details) is a valid JSON object;
//  2. ParseNodeKey accepts every object Boost.JSON accepts, unless the object's
//     node_key is not a string or it nests deeper than proto/'s 64-level bound.
// Each input is parsed twice: from a tight string (copied into simdjson's padded
// buffer) and from one with spare capacity (parsed in place).
#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/agent_messages.h"

namespace {

using quarry::proto::kPadding;

[[noreturn]] void Violation(const char* what) {
  __builtin_printf("property violated: %s\n", what);
  std::abort();
}

enum class Verdict { kValid, kInvalid, kUnknown };

// kUnknown: Boost.JSON refuses exponents it cannot represent (1e40067607209),
// which RFC 8259's grammar allows and proto/ therefore accepts.
Verdict BoostParses(const std::string& text, int max_depth, boost::json::value* out) {
  boost::json::parse_options options;
  options.max_depth = static_cast<std::size_t>(max_depth);
  boost::json::error_code ec;
  *out = boost::json::parse(text, ec, {}, options);
  if (!ec) return Verdict::kValid;
  if (ec == boost::json::error::exponent_overflow) return Verdict::kUnknown;
  return Verdict::kInvalid;
}

void ExpectObject(const std::string& text, const char* what) {
  boost::json::value v;
  Verdict verdict = BoostParses(text, 128, &v);
  if (verdict == Verdict::kInvalid || (verdict == Verdict::kValid && !v.is_object())) {
    Violation(what);
  }
}

void CheckAll(const std::string& body) {
  boost::json::value whole;
  const bool boost_ok = BoostParses(body, 128, &whole) != Verdict::kInvalid;

  if (auto r = quarry::proto::ParseEnroll(body)) {
    if (!boost_ok) Violation("enroll accepted invalid JSON");
    if (!r->identity.host_details_json.empty()) {
      ExpectObject(r->identity.host_details_json, "host_details_json");
    }
  }
  if (auto r = quarry::proto::ParseLog(body)) {
    if (!boost_ok) Violation("log accepted invalid JSON");
    for (const auto& line : r->lines) ExpectObject(line.raw_json, "log line raw_json");
  }
  if (auto r = quarry::proto::ParseDistributedWrite(body)) {
    if (!boost_ok) Violation("write accepted invalid JSON");
    for (const auto& answer : r->answers) {
      for (const auto& row : answer.rows_json) ExpectObject(row, "row raw_json");
    }
  }
  auto node_key = quarry::proto::ParseNodeKey(body);
  if (node_key && !boost_ok && body.find_first_not_of(" \t\r\n") != std::string::npos) {
    Violation("node key accepted invalid JSON");
  }
  boost::json::value shallow;
  if (!node_key && BoostParses(body, 62, &shallow) == Verdict::kValid && shallow.is_object() &&
      !shallow.as_object().contains("node_key")) {
    Violation("valid object without node_key refused");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string tight(reinterpret_cast<const char*>(data), size);
  tight.shrink_to_fit();
  CheckAll(tight);
  std::string roomy;
  roomy.reserve(size + kPadding);
  roomy.assign(tight);
  CheckAll(roomy);
  return 0;
}
