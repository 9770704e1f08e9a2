#include "cli/output.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace quarry::cli {
namespace {
namespace json = boost::json;

Table Sample() {
  Table t;
  t.columns = {"host", "name", "size"};
  t.rows.push_back({json::string("web-1"), json::string("nginx"), json::string("1024")});
  t.rows.push_back({json::string("db-22"), json::string("postgres"), json::string("7")});
  return t;
}

TEST(RenderTextTest, AlignsColumnsAndRightAlignsNumbers) {
  EXPECT_EQ(RenderText(Sample()),
            "host   name      size\n"
            "web-1  nginx     1024\n"
            "db-22  postgres     7\n");
}

TEST(RenderTextTest, NumericColumnIgnoresEmptyCellsAndJsonNumbers) {
  Table t;
  t.columns = {"n", "x"};
  t.rows.push_back({json::value(12), json::string("a")});
  t.rows.push_back({json::value(), json::string("-1.5e3")});
  t.rows.push_back({json::value(3.5), json::string("1.")});
  // n: numbers and a null -> right; x: "a" is text -> left.
  EXPECT_EQ(RenderText(t),
            "  n  x\n"
            " 12  a\n"
            "     -1.5e3\n"
            "3.5  1.\n");
}

TEST(RenderTextTest, ExplicitAlignmentWins) {
  Table t = Sample();
  t.align = {Align::kRight, Align::kLeft, Align::kLeft};
  EXPECT_EQ(RenderText(t),
            " host  name      size\n"
            "web-1  nginx     1024\n"
            "db-22  postgres  7\n");
}

TEST(RenderTextTest, NoTrailingBlanks) {
  Table t;
  t.columns = {"a", "b"};
  t.rows.push_back({json::string("long value"), json::string("")});
  EXPECT_EQ(RenderText(t), "a           b\nlong value\n");
}

TEST(RenderTextTest, CutsLongCellsAtTheLimitWithAnEllipsis) {
  Table t;
  t.columns = {"v"};
  t.rows.push_back({json::string(std::string(10, 'x'))});
  t.rows.push_back({json::string(std::string(11, 'y'))});
  TextOptions o;
  o.max_cell_width = 10;
  // limit - 1, limit, limit + 1 characters.
  t.rows.push_back({json::string(std::string(9, 'z'))});
  EXPECT_EQ(RenderText(t, o),
            "v\n"
            "xxxxxxxxxx\n"
            "yyyyyyyyy\xE2\x80\xA6\n"
            "zzzzzzzzz\n");
}

TEST(RenderTextTest, NeverSplitsUtf8AndCountsCodePoints) {
  Table t;
  t.columns = {"city", "n"};
  t.rows.push_back({json::string("Zürich-Genève"), json::value(1)});
  t.rows.push_back({json::string("Ulm"), json::value(2)});
  TextOptions o;
  o.max_cell_width = 6;
  EXPECT_EQ(RenderText(t, o),
            "city    n\n"
            "Züric\xE2\x80\xA6  1\n"
            "Ulm     2\n");
  EXPECT_EQ(DisplayWidth("Zürich"), 6u);
  EXPECT_EQ(Truncate("Zürich", 2), "Z\xE2\x80\xA6");
  EXPECT_EQ(Truncate("Zürich", 6), "Zürich");
  EXPECT_EQ(Truncate("abc", 0), "");
}

TEST(RenderTextTest, NarrowsTheWidestColumnsToFitTheLine) {
  Table t;
  t.columns = {"id", "command"};
  t.rows.push_back({json::value(1), json::string(std::string(40, 'c'))});
  TextOptions o;
  o.max_line_width = 20;  // 2 + 2 + 16
  std::string out = RenderText(t, o);
  EXPECT_EQ(out, "id  command\n 1  " + std::string(15, 'c') + "\xE2\x80\xA6\n");
  // Columns never go below the minimum: the line is then allowed to wrap.
  o.max_line_width = 5;
  o.min_column_width = 6;
  EXPECT_EQ(RenderText(t, o), "id  comma\xE2\x80\xA6\n 1  ccccc\xE2\x80\xA6\n");
}

TEST(RenderTextTest, ControlCharactersAreShownEscaped) {
  Table t;
  t.columns = {"v"};
  t.rows.push_back({json::string("a\nb\tc\x1b[31mred\xC2\x9B")});
  EXPECT_EQ(RenderText(t, {0, 0, 6}), "v\na\\nb\\tc\\x1b[31mred\\u009b\n");
  // JSON output keeps the value exactly.
  EXPECT_EQ(RenderJsonl(t), "{\"v\":\"a\\nb\\tc\\u001b[31mred\xC2\x9B\"}\n");
}

TEST(RenderTextTest, EmptyTable) {
  EXPECT_EQ(RenderText(Table{}), "");
  Table t;
  t.columns = {"a"};
  EXPECT_EQ(RenderText(t), "a\n");
}

TEST(CsvTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvLine({"a", "b,c", ""}), "a,\"b,c\",\n");
}

TEST(CsvTest, HeaderThenRowsAndNothingIsTruncated) {
  Table t;
  t.columns = {"k", "v"};
  std::string long_value(500, 'q');
  t.rows.push_back({json::string("x"), json::string(long_value)});
  t.rows.push_back({json::value(), json::value(true)});
  t.rows.push_back({json::value(7), json::value(json::object{{"a", 1}})});
  EXPECT_EQ(RenderCsv(t), "k,v\nx," + long_value + "\n,true\n7,\"{\"\"a\"\":1}\"\n");
}

TEST(JsonTest, JsonlIsOneObjectPerLineKeyedByColumn) {
  EXPECT_EQ(RenderJsonl(Sample()),
            "{\"host\":\"web-1\",\"name\":\"nginx\",\"size\":\"1024\"}\n"
            "{\"host\":\"db-22\",\"name\":\"postgres\",\"size\":\"7\"}\n");
}

TEST(JsonTest, RepeatedColumnNamesKeepEveryValue) {
  Table t;
  t.columns = {"n", "n", "n_2"};
  t.rows.push_back({json::value(1), json::value(2), json::value(3)});
  EXPECT_EQ(RenderJsonl(t), "{\"n\":1,\"n_3\":2,\"n_2\":3}\n");
}

TEST(JsonTest, ArrayHasOneRowPerLineAndParses) {
  Table t = Sample();
  std::string out = RenderJson(t);
  EXPECT_EQ(out,
            "[\n"
            "  {\"host\":\"web-1\",\"name\":\"nginx\",\"size\":\"1024\"},\n"
            "  {\"host\":\"db-22\",\"name\":\"postgres\",\"size\":\"7\"}\n"
            "]\n");
  EXPECT_EQ(json::parse(out).as_array().size(), 2u);
  EXPECT_EQ(RenderJson(Table{}), "[]\n");
}

TEST(JsonTest, PrettyJsonIndents) {
  json::value v = json::parse(R"({"a":1,"b":[true,{"c":null}],"d":{},"e":[]})");
  EXPECT_EQ(PrettyJson(v),
            "{\n"
            "  \"a\": 1,\n"
            "  \"b\": [\n"
            "    true,\n"
            "    {\n"
            "      \"c\": null\n"
            "    }\n"
            "  ],\n"
            "  \"d\": {},\n"
            "  \"e\": []\n"
            "}\n");
  EXPECT_EQ(json::parse(PrettyJson(v)), v);
}

TEST(TableTest, FromObjectsTakesTheUnionOfKeysInFirstSeenOrder) {
  std::vector<json::object> rows = {json::object{{"host", "a"}, {"x", "1"}},
                                    json::object{{"host", "b"}, {"y", "2"}}};
  Table t = TableFromObjects(rows);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"host", "x", "y"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_TRUE(t.rows[0][2].is_null());
  EXPECT_TRUE(t.rows[1][1].is_null());
  EXPECT_EQ(t.rows[1][2], json::value("2"));
}

TEST(TableTest, FromApi) {
  auto t =
      TableFromApi(json::parse(R"({"columns":["a","b"],"rows":[[1,"x"],[2]],"truncated":false})"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->columns.size(), 2u);
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_TRUE(t->rows[1][1].is_null());  // a short row is padded
  EXPECT_FALSE(TableFromApi(json::parse(R"({"columns":["a"]})")));
  EXPECT_FALSE(TableFromApi(json::parse(R"({"columns":["a"],"rows":[1]})")));
  EXPECT_FALSE(TableFromApi(json::parse("[]")));
}

TEST(RowEncoderTest, JsonlPassesEveryKey) {
  RowEncoder e(Format::kJsonl);
  EXPECT_EQ(e.Encode({json::object{{"a", 1}}}), "{\"a\":1}\n");
  EXPECT_EQ(e.Encode({json::object{{"b", "x"}}}), "{\"b\":\"x\"}\n");
  EXPECT_EQ(e.rows(), 2u);
  EXPECT_TRUE(e.TakeWarnings().empty());
}

TEST(RowEncoderTest, CsvHeaderComesFromTheFirstBatchAndLaterKeysAreDroppedOnce) {
  RowEncoder e(Format::kCsv);
  EXPECT_EQ(e.Encode({}), "");  // an empty batch does not fix the header
  EXPECT_EQ(
      e.Encode({json::object{{"host", "a"}, {"x", "1"}}, json::object{{"host", "b"}, {"y", "2"}}}),
      "host,x,y\na,1,\nb,,2\n");
  EXPECT_EQ(e.Encode({json::object{{"host", "c"}, {"z", "9"}}, json::object{{"z", "8"}}}),
            "c,,\n,,\n");
  auto warnings = e.TakeWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("'z'"), std::string::npos);
  EXPECT_EQ(e.Encode({json::object{{"z", "7"}, {"x", "a,b"}}}), ",\"a,b\",\n");
  EXPECT_TRUE(e.TakeWarnings().empty());
  EXPECT_EQ(e.rows(), 5u);
}

TEST(FormatTest, ParseFormat) {
  EXPECT_EQ(*ParseFormat("table"), Format::kTable);
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(*ParseFormat("jsonl"), Format::kJsonl);
  EXPECT_EQ(*ParseFormat("csv"), Format::kCsv);
  EXPECT_FALSE(ParseFormat("yaml"));
}

TEST(FormatTest, Relative) {
  const int64_t now = 1'700'000'000'000'000;
  EXPECT_EQ(FormatRelative(0, now), "-");
  EXPECT_EQ(FormatRelative(now, now), "0s ago");
  EXPECT_EQ(FormatRelative(now - 12'000'000, now), "12s ago");
  EXPECT_EQ(FormatRelative(now - 59'999'999, now), "59s ago");
  EXPECT_EQ(FormatRelative(now - 60'000'000, now), "1m ago");
  EXPECT_EQ(FormatRelative(now - 3 * 3600'000'000LL, now), "3h ago");
  EXPECT_EQ(FormatRelative(now - 2 * 86400'000'000LL, now), "2d ago");
  EXPECT_EQ(FormatRelative(now + 40'000'000, now), "in 40s");
}

TEST(FormatTest, LocalTimeIsIso8601WithOffset) {
  std::string saved = std::getenv("TZ") ? std::getenv("TZ") : "";
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  EXPECT_EQ(FormatLocalTime(1'700'000'000'123'456), "2023-11-14T22:13:20+00:00");
  ::setenv("TZ", "<+0530>-5:30", 1);
  ::tzset();
  EXPECT_EQ(FormatLocalTime(1'700'000'000'000'000), "2023-11-15T03:43:20+05:30");
  ::setenv("TZ", "<-03>3", 1);
  ::tzset();
  EXPECT_EQ(FormatLocalTime(1'700'000'000'000'000), "2023-11-14T19:13:20-03:00");
  EXPECT_EQ(FormatLocalTime(0), "");
  if (saved.empty()) {
    ::unsetenv("TZ");
  } else {
    ::setenv("TZ", saved.c_str(), 1);
  }
  ::tzset();
}

TEST(FormatTest, ElapsedAndBytes) {
  EXPECT_EQ(FormatElapsed(-5), "0ms");
  EXPECT_EQ(FormatElapsed(850'000), "850ms");
  EXPECT_EQ(FormatElapsed(1'250'000), "1.2s");
  EXPECT_EQ(FormatElapsed(59'000'000), "59s");
  EXPECT_EQ(FormatElapsed(125'000'000), "2m05s");
  EXPECT_EQ(FormatElapsed(3'720'000'000), "1h02m");
  EXPECT_EQ(FormatElapsed(3LL * 86400'000'000 + 4 * 3600'000'000LL), "3d04h");
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1024), "1.0 KiB");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(8LL * 1024 * 1024 * 1024), "8.0 GiB");
}

TEST(FieldsTest, AlignsValuesAndIndentsContinuationLines) {
  EXPECT_EQ(RenderFields({{"run", "42"}, {"submitted by", "admin"}, {"sql", "SELECT 1\nFROM t"}}),
            "run:           42\n"
            "submitted by:  admin\n"
            "sql:           SELECT 1\n"
            "               FROM t\n");
}

TEST(CellTextTest, Values) {
  EXPECT_EQ(CellText(json::value()), "");
  EXPECT_EQ(CellText(json::value("s")), "s");
  EXPECT_EQ(CellText(json::value(3)), "3");
  EXPECT_EQ(CellText(json::value(false)), "false");
  EXPECT_EQ(CellText(json::parse("[1,\"a\"]")), "[1,\"a\"]");
  // Doubles in their shortest form, not Boost.JSON's "3.5E0".
  EXPECT_EQ(CellText(json::value(3.5)), "3.5");
  EXPECT_EQ(CellText(json::value(0.1)), "0.1");
  EXPECT_EQ(CellText(json::value(1e21)), "1e+21");
}

}  // namespace
}  // namespace quarry::cli
