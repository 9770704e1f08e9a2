#include "net/sse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace quarry::net {

// In SseEvent's namespace so that gtest and std::vector find them by ADL.
bool operator==(const SseEvent& a, const SseEvent& b) {
  return a.id == b.id && a.event == b.event && a.data == b.data;
}

void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{id=\"" << e.id << "\", event=\"" << e.event << "\", data=\"" << e.data << "\"}";
}

namespace {

// Feeds `pieces` in order to one parser and returns the events.
std::vector<SseEvent> ParsePieces(const std::vector<std::string_view>& pieces,
                                  SseParser& parser) {
  std::vector<SseEvent> events;
  for (auto piece : pieces) {
    parser.Feed(piece, [&](const SseEvent& e) { events.push_back(e); });
  }
  return events;
}

std::vector<SseEvent> Parse(std::string_view stream) {
  SseParser parser;
  return ParsePieces({stream}, parser);
}

struct Case {
  const char* name;
  std::string input;
  std::vector<SseEvent> expected;
};

std::string WithNul(std::string s, size_t at) {
  s[at] = '\0';
  return s;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"lf", "data: hello\n\n", {{"", "", "hello"}}},
      {"crlf", "data: hello\r\n\r\n", {{"", "", "hello"}}},
      {"cr", "data: a\r\rdata: b\r\r", {{"", "", "a"}, {"", "", "b"}}},
      {"mixed line ends", "data: a\r\ndata: b\rdata: c\n\r\n", {{"", "", "a\nb\nc"}}},
      {"multi-line data", "data: a\ndata: b\ndata: c\n\n", {{"", "", "a\nb\nc"}}},
      {"empty data line keeps the line", "data: a\ndata:\n\n", {{"", "", "a\n"}}},
      {"data field without colon", "data\n\n", {{"", "", ""}}},
      {"empty value", "data: \n\n", {{"", "", ""}}},
      {"no space after colon", "data:a\n\n", {{"", "", "a"}}},
      {"only one space is stripped", "data:  a\n\n", {{"", "", " a"}}},
      {"colon inside the value", "data: a:b: c\n\n", {{"", "", "a:b: c"}}},
      {"comments", ": hello\ndata: x\n:\n: more\n\n", {{"", "", "x"}}},
      {"comment-only block dispatches nothing", ":\n\n:\n\n", {}},
      {"event and id", "event: add\nid: 7\ndata: {}\n\n", {{"7", "add", "{}"}}},
      {"id carries over", "id: 1\ndata: a\n\ndata: b\n\n", {{"1", "", "a"}, {"1", "", "b"}}},
      {"empty id resets", "id: 1\ndata: a\n\nid\ndata: b\n\n", {{"1", "", "a"}, {"", "", "b"}}},
      {"id block without data sets the id", "id: 5\n\ndata: a\n\n", {{"5", "", "a"}}},
      {"id with NUL is ignored", WithNul("id: 9\n\nid: a_b\ndata: x\n\n", 12), {{"9", "", "x"}}},
      {"event resets after each dispatch", "event: a\ndata: 1\n\ndata: 2\n\n",
       {{"", "a", "1"}, {"", "", "2"}}},
      {"event without data resets the type", "event: x\n\ndata: y\n\n", {{"", "", "y"}}},
      {"retry ignored", "retry: 1000\ndata: a\n\n", {{"", "", "a"}}},
      {"unknown fields ignored", "foo: bar\nDATA: no\ndata: a\n\n", {{"", "", "a"}}},
      {"unfinished event dropped", "data: a\n\ndata: b\n", {{"", "", "a"}}},
      {"unfinished line dropped", "data: a", {}},
      {"blank lines only", "\n\n\r\n\r\r", {}},
      {"leading BOM", "\xEF\xBB\xBF" "data: a\n\n", {{"", "", "a"}}},
      {"BOM only at the start", "\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n",
       {{"", "", "b"}}},
      {"not a BOM", "\xEF\xBB" "data: a\n\ndata: b\n\n", {{"", "", "b"}}},
      {"heartbeat between events", "data: a\n\n:\n\ndata: b\n\n", {{"", "", "a"}, {"", "", "b"}}},
      {"utf-8 passes through", "data: h\xC3\xA9llo\n\n", {{"", "", "h\xC3\xA9llo"}}},
  };
  return cases;
}

TEST(SseParserTest, Table) {
  for (const auto& c : Cases()) {
    EXPECT_EQ(Parse(c.input), c.expected) << c.name;
  }
}

TEST(SseParserTest, TableByteByByte) {
  for (const auto& c : Cases()) {
    SseParser parser;
    std::vector<std::string_view> pieces;
    for (size_t i = 0; i < c.input.size(); ++i) pieces.push_back(std::string_view(c.input).substr(i, 1));
    EXPECT_EQ(ParsePieces(pieces, parser), c.expected) << c.name;
  }
}

// A stream that exercises every line end, a BOM, comments, ids and multi-line
// data, fed split at every point (two pieces) and at every pair of points
// (three pieces).
TEST(SseParserTest, EverySplitPoint) {
  const std::string stream =
      "\xEF\xBB\xBF: opening comment\r\n"
      "event: add\r\nid: 1\r\ndata: first\r\ndata: line two\r\n\r\n"
      ":\n\n"
      "data: second\rdata:third\r\r"
      "id: 2\nevent: remove\ndata\ndata: x:y\n\n"
      "retry: 10\ndata: last\r\n\r\n";
  const std::vector<SseEvent> expected = {
      {"1", "add", "first\nline two"},
      {"1", "", "second\nthird"},
      {"2", "remove", "\nx:y"},
      {"2", "", "last"},
  };
  ASSERT_EQ(Parse(stream), expected);
  const std::string_view s = stream;
  for (size_t i = 0; i <= s.size(); ++i) {
    SseParser parser;
    ASSERT_EQ(ParsePieces({s.substr(0, i), s.substr(i)}, parser), expected) << "split at " << i;
  }
  for (size_t i = 0; i <= s.size(); ++i) {
    for (size_t j = i; j <= s.size(); ++j) {
      SseParser parser;
      ASSERT_EQ(ParsePieces({s.substr(0, i), s.substr(i, j - i), s.substr(j)}, parser), expected)
          << "split at " << i << " and " << j;
    }
  }
}

TEST(SseParserTest, EventsArriveAsSoonAsTheirBlankLineDoes) {
  SseParser parser;
  std::vector<SseEvent> events;
  auto collect = [&](const SseEvent& e) { events.push_back(e); };
  parser.Feed("data: a\n", collect);
  EXPECT_TRUE(events.empty());
  parser.Feed("\n", collect);
  ASSERT_EQ(events.size(), 1u);
  // A CR at the end of a chunk already ends the line (and the event); the LF
  // that may follow in the next chunk is not a second, empty line.
  parser.Feed("data: b\r\r", collect);
  ASSERT_EQ(events.size(), 2u);
  parser.Feed("\ndata: c\n\n", collect);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].data, "c");
}

TEST(SseParserTest, MaxEventBytes) {
  constexpr size_t kLimit = 32;
  // A data line of the limit's size passes ("data: " + 26 bytes = 32).
  {
    SseParser parser(kLimit);
    std::vector<SseEvent> events;
    parser.Feed("data: " + std::string(26, 'a') + "\n\n", [&](const SseEvent& e) { events.push_back(e); });
    EXPECT_FALSE(parser.failed());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, std::string(26, 'a'));
  }
  // One byte more fails, whether the line is whole or split; later input is ignored.
  for (bool split : {false, true}) {
    SseParser parser(kLimit);
    std::vector<SseEvent> events;
    auto collect = [&](const SseEvent& e) { events.push_back(e); };
    std::string line = "data: " + std::string(27, 'a') + "\n\n";
    if (split) {
      parser.Feed(line.substr(0, 20), collect);
      EXPECT_FALSE(parser.failed());
      parser.Feed(line.substr(20), collect);
    } else {
      parser.Feed(line, collect);
    }
    EXPECT_TRUE(parser.failed()) << split;
    parser.Feed("data: ok\n\n", collect);
    EXPECT_TRUE(events.empty()) << split;
  }
  // The limit covers an event's accumulated data, not just one line.
  {
    SseParser parser(kLimit);
    std::vector<SseEvent> events;
    parser.Feed("data: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n",
                [&](const SseEvent& e) { events.push_back(e); });
    EXPECT_TRUE(parser.failed());
    EXPECT_TRUE(events.empty());
  }
}

TEST(FormatSseEventTest, WireForm) {
  EXPECT_EQ(FormatSseEvent("", "", "hello"), "data: hello\n\n");
  EXPECT_EQ(FormatSseEvent("result", "42", "{\"a\":1}"),
            "event: result\nid: 42\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(FormatSseEvent("", "", ""), "data: \n\n");
  EXPECT_EQ(FormatSseEvent("", "", "a\nb\r\nc\rd"), "data: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(FormatSseEvent("", "", "a\n"), "data: a\ndata: \n\n");
  // Line breaks in event or id would end the field early: dropped.
  EXPECT_EQ(FormatSseEvent("ev\nil", "1\r\n2", "x"), "event: evil\nid: 12\ndata: x\n\n");
  EXPECT_EQ(FormatSseEvent("", std::string("1\0" "2", 3), "x"), "id: 12\ndata: x\n\n");
  EXPECT_EQ(FormatSseEvent("\n", "", "x"), "data: x\n\n");
}

TEST(FormatSseEventTest, RoundTripsThroughTheParser) {
  const std::vector<std::string> datas = {
      "", "plain", " leading space", "a\nb", "a\r\nb", "a\rb", "trailing\n", "\n", "\n\n",
      ": not a comment", "data: nested", "{\"json\": [1, 2]}", "\r\n\r\n",
  };
  std::string stream;
  std::vector<SseEvent> expected;
  int id = 0;
  for (const auto& data : datas) {
    ++id;
    stream += FormatSseEvent(id % 2 ? "type" : "", std::to_string(id), data);
    std::string normalized;  // CRLF and CR come back as LF
    for (size_t i = 0; i < data.size(); ++i) {
      if (data[i] == '\r') {
        normalized += '\n';
        if (i + 1 < data.size() && data[i + 1] == '\n') ++i;
      } else {
        normalized += data[i];
      }
    }
    expected.push_back({std::to_string(id), id % 2 ? "type" : "", normalized});
  }
  EXPECT_EQ(Parse(stream), expected);
}

}  // namespace
}  // namespace quarry::net
