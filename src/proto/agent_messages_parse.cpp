// Agent request parsing with simdjson On-Demand: one forward pass per body.
//
// On-Demand only validates what it is asked to read; skipping a value (or taking
// its raw_json()) merely counts brackets, so `{"a":[1}` would pass as an object.
// Since rows and log lines are stored verbatim and re-emitted later, every value
// of a body is walked once here (Validate and the Capture* helpers), which is the
// one validation the text ever gets. The raw text of a captured object is then
// the span between its opening brace and the next structural token.
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "proto/agent_messages.h"

namespace quarry::proto {
namespace {

namespace od = simdjson::ondemand;

static_assert(kPadding >= simdjson::SIMDJSON_PADDING,
              "kPadding promises callers that this much slack is enough for simdjson");

// No osquery message nests deeper than about six levels. The validator recurses
// once per level, so a bound keeps hostile input from exhausting the stack;
// simdjson's own max_depth is only enforced in its development-checks builds.
constexpr int kMaxDepth = 64;

// A thread's parser keeps the capacity of the largest body it has seen. After a
// body bigger than this it is replaced, so one 64 MiB log POST does not pin that
// memory to an I/O thread for the rest of its life.
constexpr size_t kRetainedParserCapacity = 16 * 1024 * 1024;

using Status = Result<void>;

// Where a value sits in the body, for error messages: a chain through the
// caller's stack frames, rendered only when an error is actually reported.
struct Path {
  static constexpr size_t kNoIndex = SIZE_MAX;
  const Path* parent = nullptr;
  std::string_view key;     // member name when index == kNoIndex
  size_t index = kNoIndex;  // array index otherwise

  Path Member(std::string_view name) const { return Path{this, name, kNoIndex}; }
  Path Element(size_t i) const { return Path{this, {}, i}; }
};

std::string Render(const Path& path) {
  std::string out = path.parent != nullptr ? Render(*path.parent) : std::string();
  if (path.index != Path::kNoIndex) {
    out += '[';
    out += std::to_string(path.index);
    out += ']';
  } else if (!path.key.empty()) {
    if (!out.empty()) out += '.';
    out += path.key;
  }
  return out;
}

tl::unexpected<Error> Invalid(const Path& path, std::string_view what) {
  std::string where = Render(path);
  if (where.empty()) where = "root";
  return Fail(ErrorCode::kInvalidArgument, where + ": " + std::string(what));
}

tl::unexpected<Error> JsonError(const Path& path, simdjson::error_code error) {
  std::string where = Render(path);
  std::string message = where.empty() ? std::string("invalid JSON: ") : where + ": invalid JSON: ";
  message += simdjson::error_message(error);
  return Fail(ErrorCode::kInvalidArgument, std::move(message));
}

// Errors from iterate(): the document as a whole is unusable.
tl::unexpected<Error> DocumentError(simdjson::error_code error) {
  switch (error) {
    case simdjson::EMPTY:
      return Fail(ErrorCode::kInvalidArgument, "empty body");
    case simdjson::UTF8_ERROR:
      return Fail(ErrorCode::kInvalidArgument, "invalid JSON: the body is not valid UTF-8");
    default:
      return Fail(ErrorCode::kInvalidArgument,
                  std::string("invalid JSON: ") + simdjson::error_message(error));
  }
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (!IsJsonSpace(c)) return false;
  }
  return true;
}

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && IsJsonSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar. simdjson's number parsers also refuse valid numbers
// that do not fit a double or 64-bit integer (1e400, 30-digit integers); rows
// may legitimately hold those, so the token is checked against the grammar only.
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  return i == n;
}

std::optional<int64_t> ParseDecimal(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

Status Validate(od::value value, const Path& path, int depth);

Status ValidateObject(od::value value, const Path& path, int depth) {
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError(path, error);
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return JsonError(path, error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(path, error);
    if (Status s = Validate(field.value(), path.Member(key), depth + 1); !s) return s;
  }
  return Ok();
}

Status ValidateArray(od::value value, const Path& path, int depth) {
  od::array array;
  if (auto error = value.get_array().get(array)) return JsonError(path, error);
  size_t index = 0;
  for (auto element_result : array) {
    const Path element_path = path.Element(index++);
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonError(element_path, error);
    if (Status s = Validate(element, element_path, depth + 1); !s) return s;
  }
  return Ok();
}

// Walks `value` completely, so that malformed JSON anywhere inside it is refused.
// A scalar that is not consumed here (numbers) is skipped by the enclosing
// iteration, which is also where a missing comma after it is detected.
Status Validate(od::value value, const Path& path, int depth) {
  if (depth > kMaxDepth) return Invalid(path, "nested deeper than 64 levels");
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(path, error);
  switch (type) {
    case od::json_type::object:
      return ValidateObject(value, path, depth);
    case od::json_type::array:
      return ValidateArray(value, path, depth);
    case od::json_type::string: {
      std::string_view ignored;
      if (auto error = value.get_string().get(ignored)) return JsonError(path, error);
      return Ok();
    }
    case od::json_type::number:
      if (!IsJsonNumber(TrimRight(value.raw_json_token()))) {
        return JsonError(path, simdjson::NUMBER_ERROR);
      }
      return Ok();
    case od::json_type::boolean: {
      bool ignored = false;
      if (auto error = value.get_bool().get(ignored)) return JsonError(path, error);
      return Ok();
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return JsonError(path, error);
      if (!is_null) return JsonError(path, simdjson::N_ATOM_ERROR);
      return Ok();
    }
  }
  return JsonError(path, simdjson::TAPE_ERROR);
}

// Reads the type first so that a wrong type is reported as such, and anything
// else (a malformed token) as invalid JSON.
Status ExpectType(od::value& value, const Path& path, od::json_type want, std::string_view what) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(path, error);
  if (type != want) return Invalid(path, what);
  return Ok();
}

Status ReadString(od::value value, const Path& path, std::string* out) {
  if (Status s = ExpectType(value, path, od::json_type::string, "expected a string"); !s) return s;
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError(path, error);
  out->assign(text);
  return Ok();
}

// An integer given as a JSON integer or, when `allow_string`, as a string holding
// one (osquery's docs show statuses both ways). Values beyond int64 saturate:
// they can only be resource counters, and refusing them would make osqueryd
// resend the same write forever.
Status ReadInt(od::value value, const Path& path, bool allow_string, int64_t* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(path, error);
  if (type == od::json_type::number) {
    if (value.get_int64().get(*out) == simdjson::SUCCESS) return Ok();
    uint64_t big = 0;
    if (value.get_uint64().get(big) == simdjson::SUCCESS) {
      *out = std::numeric_limits<int64_t>::max();
      return Ok();
    }
    return Invalid(path, "expected an integer");
  }
  if (type == od::json_type::string && allow_string) {
    std::string_view text;
    if (auto error = value.get_string().get(text)) return JsonError(path, error);
    if (std::optional<int64_t> parsed = ParseDecimal(text)) {
      *out = *parsed;
      return Ok();
    }
  }
  return Invalid(path, "expected an integer");
}

Status ReadInt32(od::value value, const Path& path, bool allow_string, int* out) {
  int64_t wide = 0;
  if (Status s = ReadInt(value, path, allow_string, &wide); !s) return s;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    return Invalid(path, "integer out of range");
  }
  *out = static_cast<int>(wide);
  return Ok();
}

// Log-line fields are read leniently: the line is kept verbatim whatever its
// fields hold, and refusing a batch would only make osqueryd resend it forever
// (a failed batch stays at the head of its buffer). A field of an unexpected
// type is validated and left at its default.
Status ReadLenientString(od::value value, const Path& path, int depth, std::string* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(path, error);
  if (type != od::json_type::string) return Validate(value, path, depth);
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonError(path, error);
  out->assign(text);
  return Ok();
}

template <class Int>
Status ReadLenientInt(od::value value, const Path& path, int depth, Int* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(path, error);
  int64_t wide = 0;
  bool have = false;
  if (type == od::json_type::number) {
    double real = 0;
    if (value.get_int64().get(wide) == simdjson::SUCCESS) {
      have = true;
    } else if (value.get_double().get(real) == simdjson::SUCCESS && std::isfinite(real) &&
               std::fabs(real) < 9.0e18) {
      wide = static_cast<int64_t>(real);
      have = true;
    } else {
      return Validate(value, path, depth);
    }
  } else if (type == od::json_type::string) {
    std::string_view text;
    if (auto error = value.get_string().get(text)) return JsonError(path, error);
    if (std::optional<int64_t> parsed = ParseDecimal(text)) {
      wide = *parsed;
      have = true;
    }
  } else {
    return Validate(value, path, depth);
  }
  if (have && wide >= std::numeric_limits<Int>::min() && wide <= std::numeric_limits<Int>::max()) {
    *out = static_cast<Int>(wide);
  }
  return Ok();
}

// Walks the object `value` (validating all of it), hands each member to
// `on_member(key, value, path, depth)`, and returns the object's text without
// trailing whitespace. `value` must not be the document root: the end of the
// text is found from the token that follows it.
template <class OnMember>
Result<std::string_view> CaptureObject(od::value value, const Path& path, int depth,
                                       OnMember&& on_member) {
  if (depth > kMaxDepth) return Invalid(path, "nested deeper than 64 levels");
  if (Status s = ExpectType(value, path, od::json_type::object, "expected an object"); !s) {
    return Fail(std::move(s.error()));
  }
  const char* start = nullptr;
  if (auto error = value.current_location().get(start)) return JsonError(path, error);
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError(path, error);
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return JsonError(path, error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(path, error);
    if (Status s = on_member(key, field.value(), path.Member(key), depth + 1); !s) {
      return Fail(std::move(s.error()));
    }
  }
  const char* end = nullptr;
  if (auto error = value.current_location().get(end)) return JsonError(path, error);
  return TrimRight(std::string_view(start, static_cast<size_t>(end - start)));
}

// A captured object whose members are only validated.
Result<std::string_view> CaptureAnyObject(od::value value, const Path& path, int depth) {
  return CaptureObject(
      value, path, depth,
      [](std::string_view, od::value member, const Path& member_path, int member_depth) {
        return Validate(member, member_path, member_depth);
      });
}

// Iterates an object whose members are handed to `on_member` (for maps keyed by
// query id). Unlike CaptureObject the text is not needed.
template <class OnMember>
Status ForEachMember(od::value value, const Path& path, int depth, OnMember&& on_member) {
  if (depth > kMaxDepth) return Invalid(path, "nested deeper than 64 levels");
  if (Status s = ExpectType(value, path, od::json_type::object, "expected an object"); !s) return s;
  od::object object;
  if (auto error = value.get_object().get(object)) return JsonError(path, error);
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return JsonError(path, error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(path, error);
    if (Status s = on_member(key, field.value(), path.Member(key), depth + 1); !s) return s;
  }
  return Ok();
}

template <class OnElement>
Status ForEachElement(od::value value, const Path& path, int depth, OnElement&& on_element) {
  if (depth > kMaxDepth) return Invalid(path, "nested deeper than 64 levels");
  if (Status s = ExpectType(value, path, od::json_type::array, "expected an array"); !s) return s;
  od::array array;
  if (auto error = value.get_array().get(array)) return JsonError(path, error);
  size_t index = 0;
  for (auto element_result : array) {
    const Path element_path = path.Element(index++);
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonError(element_path, error);
    if (Status s = on_element(element, element_path, depth + 1); !s) return s;
  }
  return Ok();
}

od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

template <class OnMember>
Status IterateRoot(od::parser& parser, simdjson::padded_string_view json, OnMember& on_member) {
  od::document doc;
  if (auto error = parser.iterate(json).get(doc)) return DocumentError(error);
  const Path root;
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return Invalid(root, "expected a JSON object");
    return DocumentError(error);
  }
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return JsonError(root, error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(root, error);
    // Members of the root are at depth 2.
    if (Status s = on_member(key, field.value(), root.Member(key), 2); !s) return s;
  }
  // The member loop stops at the root's closing brace; any token after it is
  // content osquery's own parser would refuse too.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Fail(ErrorCode::kInvalidArgument,
                "invalid JSON: trailing content after the root object");
  }
  return Ok();
}

// Parses `body` as one JSON object and hands each root member to
// `on_member(key, value, path, depth)`. REQUIRES: body is not blank.
template <class OnMember>
Status ParseRootObject(const std::string& body, OnMember&& on_member) {
  od::parser& parser = ThreadParser();
  Status status;
  if (body.capacity() - body.size() >= kPadding) {
    // The string's own spare capacity is the padding: no copy.
    status = IterateRoot(
        parser, simdjson::padded_string_view(body.data(), body.size(), body.capacity()), on_member);
  } else {
    simdjson::padded_string copy(body.data(), body.size());
    status = IterateRoot(parser, copy, on_member);
  }
  if (parser.capacity() > kRetainedParserCapacity) parser = od::parser();
  return status;
}

Error EmptyBody() { return Error{ErrorCode::kInvalidArgument, "empty body"}; }

// ---- enroll ----

// The host_details tables whose fields are copied into HostIdentity. Values are
// strings on the wire (osquery turns every column, NULL included, into one).
Status ReadHostDetailsTable(std::string_view table, od::value value, const Path& path, int depth,
                            store::HostIdentity* identity) {
  auto field_target = [&](std::string_view key) -> std::string* {
    if (table == "os_version") {
      if (key == "platform") return &identity->platform;
      if (key == "name") return &identity->os_name;
      if (key == "version") return &identity->os_version;
    } else if (table == "osquery_info") {
      if (key == "version") return &identity->osquery_version;
    } else if (table == "system_info") {
      if (key == "hostname") return &identity->hostname;
      if (key == "uuid") return &identity->hardware_uuid;
      if (key == "hardware_serial") return &identity->hardware_serial;
    }
    return nullptr;
  };
  return ForEachMember(value, path, depth,
                       [&](std::string_view key, od::value member, const Path& member_path,
                           int member_depth) -> Status {
                         if (std::string* target = field_target(key)) {
                           return ReadString(member, member_path, target);
                         }
                         return Validate(member, member_path, member_depth);
                       });
}

Status ReadHostDetails(od::value value, const Path& path, int depth,
                       store::HostIdentity* identity) {
  Result<std::string_view> raw = CaptureObject(
      value, path, depth,
      [&](std::string_view key, od::value member, const Path& member_path,
          int member_depth) -> Status {
        if (key == "os_version" || key == "osquery_info" || key == "system_info") {
          return ReadHostDetailsTable(key, member, member_path, member_depth, identity);
        }
        return Validate(member, member_path, member_depth);
      });
  if (!raw) return Fail(std::move(raw.error()));
  identity->host_details_json.assign(*raw);
  return Ok();
}

Status ReadPlatformType(od::value value, const Path& path, std::string* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(path, error);
  if (type == od::json_type::number) {
    uint64_t number = 0;
    if (value.get_uint64().get(number) != simdjson::SUCCESS) {
      return Invalid(path, "expected a string or a non-negative integer");
    }
    *out = std::to_string(number);
    return Ok();
  }
  if (type != od::json_type::string) return Invalid(path, "expected a string");
  return ReadString(value, path, out);
}

// ---- log ----

struct LineExtras {
  std::string filename;  // status lines: becomes LogLine::name
};

Status ReadLogLine(od::value value, const Path& path, int depth, store::LogLine* line,
                   LineExtras* extras) {
  Result<std::string_view> raw = CaptureObject(
      value, path, depth,
      [&](std::string_view key, od::value member, const Path& member_path,
          int member_depth) -> Status {
        if (key == "unixTime")
          return ReadLenientInt(member, member_path, member_depth, &line->unix_time);
        if (key == "name") return ReadLenientString(member, member_path, member_depth, &line->name);
        if (key == "action")
          return ReadLenientString(member, member_path, member_depth, &line->action);
        if (key == "hostIdentifier") {
          return ReadLenientString(member, member_path, member_depth, &line->host_identifier);
        }
        if (key == "severity")
          return ReadLenientInt(member, member_path, member_depth, &line->severity);
        if (key == "filename") {
          return ReadLenientString(member, member_path, member_depth, &extras->filename);
        }
        if (key == "message")
          return ReadLenientString(member, member_path, member_depth, &line->message);
        return Validate(member, member_path, member_depth);
      });
  if (!raw) return Fail(std::move(raw.error()));
  line->raw_json.assign(*raw);
  return Ok();
}

// ---- distributed write ----

// Answers in order of first mention, one per id across the four maps.
class AnswerSet {
 public:
  store::QueryAnswer& For(std::string_view id) {
    auto [it, inserted] = index_.try_emplace(std::string(id), answers_.size());
    if (inserted) {
      answers_.emplace_back();
      answers_.back().query_id.assign(id);
    }
    return answers_[it->second];
  }
  std::vector<store::QueryAnswer> Take() { return std::move(answers_); }

 private:
  std::vector<store::QueryAnswer> answers_;
  std::unordered_map<std::string, size_t> index_;
};

Status ReadQueries(od::value value, const Path& path, int depth, AnswerSet* answers) {
  return ForEachMember(
      value, path, depth,
      [&](std::string_view id, od::value rows, const Path& id_path, int id_depth) -> Status {
        store::QueryAnswer& answer = answers->For(id);
        answer.rows_json.clear();  // a repeated id: the last one wins
        return ForEachElement(rows, id_path, id_depth,
                              [&](od::value row, const Path& row_path, int row_depth) -> Status {
                                Result<std::string_view> raw =
                                    CaptureAnyObject(row, row_path, row_depth);
                                if (!raw) return Fail(std::move(raw.error()));
                                answer.rows_json.emplace_back(*raw);
                                return Ok();
                              });
      });
}

Status ReadStatuses(od::value value, const Path& path, int depth, AnswerSet* answers) {
  return ForEachMember(
      value, path, depth, [&](std::string_view id, od::value status, const Path& id_path, int) {
        return ReadInt32(status, id_path, /*allow_string=*/true, &answers->For(id).status);
      });
}

Status ReadMessages(od::value value, const Path& path, int depth, AnswerSet* answers) {
  return ForEachMember(value, path, depth,
                       [&](std::string_view id, od::value message, const Path& id_path, int) {
                         return ReadString(message, id_path, &answers->For(id).message);
                       });
}

Status ReadStats(od::value value, const Path& path, int depth, AnswerSet* answers) {
  return ForEachMember(
      value, path, depth,
      [&](std::string_view id, od::value stats_value, const Path& id_path, int id_depth) -> Status {
        store::QueryStats& stats = answers->For(id).stats;
        stats = store::QueryStats{};
        return ForEachMember(stats_value, id_path, id_depth,
                             [&](std::string_view key, od::value member, const Path& member_path,
                                 int member_depth) -> Status {
                               int64_t* target = nullptr;
                               if (key == "wall_time_ms") target = &stats.wall_time_ms;
                               if (key == "user_time") target = &stats.user_time;
                               if (key == "system_time") target = &stats.system_time;
                               if (key == "memory") target = &stats.memory;
                               if (target == nullptr)
                                 return Validate(member, member_path, member_depth);
                               // A denylisted query reports `{}`: present only with real figures.
                               stats.present = true;
                               return ReadInt(member, member_path, /*allow_string=*/false, target);
                             });
      });
}

}  // namespace

Result<EnrollRequest> ParseEnroll(const std::string& body) {
  if (IsBlank(body)) return Fail(EmptyBody());
  EnrollRequest request;
  store::HostIdentity& identity = request.identity;
  bool have_identifier = false;
  Status status = ParseRootObject(
      body, [&](std::string_view key, od::value value, const Path& path, int depth) -> Status {
        if (key == "enroll_secret") return ReadString(value, path, &request.enroll_secret);
        if (key == "host_identifier") {
          have_identifier = true;
          return ReadString(value, path, &identity.host_identifier);
        }
        if (key == "platform_type") return ReadPlatformType(value, path, &identity.platform_type);
        if (key == "host_details") return ReadHostDetails(value, path, depth, &identity);
        return Validate(value, path, depth);
      });
  if (!status) return Fail(std::move(status.error()));
  if (!have_identifier) {
    return Fail(ErrorCode::kInvalidArgument, "host_identifier: missing");
  }
  if (identity.host_identifier.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "host_identifier: must not be empty");
  }
  if (identity.hostname.empty()) identity.hostname = identity.host_identifier;
  return request;
}

Result<std::string> ParseNodeKey(const std::string& body) {
  std::string node_key;
  if (IsBlank(body)) return node_key;
  Status status = ParseRootObject(
      body, [&](std::string_view key, od::value value, const Path& path, int depth) -> Status {
        if (key == "node_key") return ReadString(value, path, &node_key);
        return Validate(value, path, depth);
      });
  if (!status) return Fail(std::move(status.error()));
  return node_key;
}

Result<LogRequest> ParseLog(const std::string& body) {
  if (IsBlank(body)) return Fail(EmptyBody());
  LogRequest request;
  std::vector<LineExtras> extras;
  bool have_type = false;
  bool have_data = false;
  // `data` usually precedes `log_type` (uncompressed bodies), so lines are read
  // with every field either type might use, and sorted out at the end.
  Status status = ParseRootObject(
      body, [&](std::string_view key, od::value value, const Path& path, int depth) -> Status {
        if (key == "node_key") return ReadString(value, path, &request.node_key);
        if (key == "log_type") {
          std::string type;
          if (Status s = ReadString(value, path, &type); !s) return s;
          if (type == "result") {
            request.type = store::LogType::kResult;
          } else if (type == "status") {
            request.type = store::LogType::kStatus;
          } else {
            return Invalid(path, "expected \"result\" or \"status\"");
          }
          have_type = true;
          return Ok();
        }
        if (key == "data") {
          have_data = true;
          request.lines.clear();
          extras.clear();
          return ForEachElement(value, path, depth,
                                [&](od::value line, const Path& line_path, int line_depth) {
                                  request.lines.emplace_back();
                                  extras.emplace_back();
                                  return ReadLogLine(line, line_path, line_depth,
                                                     &request.lines.back(), &extras.back());
                                });
        }
        return Validate(value, path, depth);
      });
  if (!status) return Fail(std::move(status.error()));
  if (!have_type) return Fail(ErrorCode::kInvalidArgument, "log_type: missing");
  if (!have_data) return Fail(ErrorCode::kInvalidArgument, "data: missing");
  for (size_t i = 0; i < request.lines.size(); ++i) {
    store::LogLine& line = request.lines[i];
    if (request.type == store::LogType::kStatus) {
      line.name = std::move(extras[i].filename);
      line.action.clear();
    } else {
      line.severity = 0;
      line.message.clear();
    }
  }
  return request;
}

Result<DistributedWriteRequest> ParseDistributedWrite(const std::string& body) {
  if (IsBlank(body)) return Fail(EmptyBody());
  DistributedWriteRequest request;
  AnswerSet answers;
  Status status = ParseRootObject(
      body, [&](std::string_view key, od::value value, const Path& path, int depth) -> Status {
        if (key == "node_key") return ReadString(value, path, &request.node_key);
        if (key == "queries") return ReadQueries(value, path, depth, &answers);
        if (key == "statuses") return ReadStatuses(value, path, depth, &answers);
        if (key == "messages") return ReadMessages(value, path, depth, &answers);
        if (key == "stats") return ReadStats(value, path, depth, &answers);
        return Validate(value, path, depth);
      });
  if (!status) return Fail(std::move(status.error()));
  request.answers = answers.Take();
  return request;
}

}  // namespace quarry::proto
