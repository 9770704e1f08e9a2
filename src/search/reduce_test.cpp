#include "search/reduce.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace quarry::search {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Fields = std::vector<std::pair<std::string, std::string>>;

// An osquery-style row: a JSON object whose values are all strings.
std::string RowJson(const Fields& fields) {
  boost::json::object object;
  for (const auto& [key, value] : fields) object[key] = value;
  return boost::json::serialize(object);
}

ReduceInput Input(int64_t host_id, const Fields& fields) {
  return ReduceInput{host_id, "host-" + std::to_string(host_id), RowJson(fields)};
}

Cell Text(const char* text) { return std::string(text); }
Cell Int(int64_t value) { return value; }

Table MustReduce(const std::vector<ReduceInput>& rows, std::string_view sql,
                 const QueryLimits& limits = {}) {
  Result<Table> result = Reduce(rows, sql, limits);
  EXPECT_TRUE(result.has_value()) << sql << ": " << result.error().message;
  return result.has_value() ? *std::move(result) : Table{};
}

TEST(ReduceTest, OsDistroExample) {
  struct Distro {
    const char* name;
    const char* major;
    const char* minor;
  };
  const Distro kDistros[] = {{"Ubuntu", "22", "04"},
                             {"Ubuntu", "20", "04"},
                             {"Debian", "12", "0"},
                             {"CentOS", "7", "9"},
                             {"Ubuntu", "22", "10"}};
  std::vector<ReduceInput> rows;
  std::map<std::string, int64_t> expected;
  for (int64_t host = 1; host <= 200; ++host) {
    // Uneven on purpose, so that the counts differ.
    const Distro& d = kDistros[(host * host + host / 3) % 5];
    rows.push_back(Input(host, {{"name", d.name}, {"major", d.major}, {"minor", d.minor}}));
    ++expected[std::string(d.name) + " " + d.major];
  }

  const Table table =
      MustReduce(rows,
                 "SELECT name || ' ' || major AS distro, count(*) AS hosts FROM results "
                 "GROUP BY distro ORDER BY hosts DESC");
  EXPECT_THAT(table.columns, ElementsAre("distro", "hosts"));
  std::map<std::string, int64_t> actual;
  int64_t previous = INT64_MAX;
  for (const std::vector<Cell>& row : table.rows) {
    ASSERT_EQ(row.size(), 2u);
    const int64_t hosts = std::get<int64_t>(row[1]);
    EXPECT_LE(hosts, previous) << "not ordered by hosts descending";
    previous = hosts;
    actual[std::get<std::string>(row[0])] = hosts;
  }
  EXPECT_EQ(actual, expected);
  EXPECT_FALSE(table.truncated);
}

TEST(ReduceTest, NumericLookingValuesCompareAndSumAsNumbers) {
  std::vector<ReduceInput> rows;
  int64_t host = 0;
  for (const char* pid : {"99", "1000", "100", "101"})
    rows.push_back(Input(++host, {{"pid", pid}}));
  // As text, "99" > "100" and "1000" < "101"; as numbers neither holds.
  const Table table = MustReduce(rows, "SELECT pid FROM results WHERE pid > 100 ORDER BY pid");
  EXPECT_EQ(table.rows, (std::vector<std::vector<Cell>>{{Int(101)}, {Int(1000)}}));

  const Table sum = MustReduce(rows, "SELECT sum(pid), max(pid) FROM results");
  EXPECT_EQ(sum.rows, (std::vector<std::vector<Cell>>{{Int(1300), Int(1000)}}));
}

TEST(ReduceTest, WhatCountsAsANumber) {
  const std::vector<std::pair<const char*, Cell>> cases = {
      {"0", Int(0)},
      {"-5", Int(-5)},
      {"+7", Int(7)},
      {"-0", Int(0)},
      {"9223372036854775807", Int(INT64_MAX)},
      {"-9223372036854775808", Int(INT64_MIN)},
      {"3.25", 3.25},
      {"-0.5", -0.5},
      {"0.0", 0.0},
      {"9223372036854775808", Text("9223372036854775808")},  // outside int64
      {"04", Text("04")},
      {"00", Text("00")},
      {"01.5", Text("01.5")},
      {"1e5", Text("1e5")},
      {".5", Text(".5")},
      {"5.", Text("5.")},
      {"1.2.3", Text("1.2.3")},
      {"", Text("")},
      {"-", Text("-")},
      {"+", Text("+")},
      {" 1", Text(" 1")},
      {"1 ", Text("1 ")},
      {"0x10", Text("0x10")},
      {"abc", Text("abc")},
  };
  std::vector<ReduceInput> rows;
  for (size_t i = 0; i < cases.size(); ++i) {
    rows.push_back(Input(static_cast<int64_t>(i), {{"v", cases[i].first}}));
  }
  const Table table = MustReduce(rows, "SELECT v, typeof(v) FROM results ORDER BY host_id");
  ASSERT_EQ(table.rows.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const Cell& expected = cases[i].second;
    const char* type = std::holds_alternative<int64_t>(expected)  ? "integer"
                       : std::holds_alternative<double>(expected) ? "real"
                                                                  : "text";
    EXPECT_EQ(table.rows[i][0], expected) << "input \"" << cases[i].first << "\"";
    EXPECT_EQ(table.rows[i][1], Text(type)) << "input \"" << cases[i].first << "\"";
  }
}

TEST(ReduceTest, NonStringJsonValues) {
  const std::vector<ReduceInput> rows = {
      {1, "h",
       R"({"i":5,"f":1.5,"t":true,"n":null,"o":{"k":"v"},"a":[1,2],"u":18446744073709551615})"}};
  const Table table = MustReduce(
      rows, "SELECT typeof(i), i, typeof(f), f, t, typeof(n), o, a, typeof(u), u FROM results");
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0], (std::vector<Cell>{Text("integer"), Int(5), Text("real"), 1.5, Int(1),
                                              Text("null"), Text(R"({"k":"v"})"), Text("[1,2]"),
                                              Text("text"), Text("18446744073709551615")}));
}

TEST(ReduceTest, HostColumnsComeFirst) {
  const std::vector<ReduceInput> rows = {
      {11, "web-1", RowJson({{"name", "nginx"}})},
      {12, "db-1", RowJson({{"name", "postgres"}})},
  };
  const Table all = MustReduce(rows, "SELECT * FROM results ORDER BY host_id");
  EXPECT_THAT(all.columns, ElementsAre("host", "host_id", "name"));
  EXPECT_EQ(all.rows, (std::vector<std::vector<Cell>>{{Text("web-1"), Int(11), Text("nginx")},
                                                      {Text("db-1"), Int(12), Text("postgres")}}));
}

TEST(ReduceTest, KeysSeenLaterAddColumnsAndEarlierRowsHaveNull) {
  const std::vector<ReduceInput> rows = {
      Input(1, {{"a", "1"}}),
      Input(2, {{"b", "x"}, {"a", "2"}}),
      Input(3, {{"c", "y"}}),
  };
  const Table table = MustReduce(rows, "SELECT * FROM results ORDER BY host_id");
  EXPECT_THAT(table.columns, ElementsAre("host", "host_id", "a", "b", "c"));
  const Cell null;
  EXPECT_EQ(table.rows,
            (std::vector<std::vector<Cell>>{{Text("host-1"), Int(1), Int(1), null, null},
                                            {Text("host-2"), Int(2), Int(2), Text("x"), null},
                                            {Text("host-3"), Int(3), null, null, Text("y")}}));
}

TEST(ReduceTest, CollidingKeysAreRenamed) {
  const std::vector<ReduceInput> rows = {
      Input(7, {{"row_host", "r"},
                {"host", "inner"},
                {"host_id", "99"},
                {"Name", "n1"},
                {"name", "n2"},
                {"", "empty"}}),
  };
  const Table table = MustReduce(rows, "SELECT * FROM results");
  EXPECT_THAT(table.columns, ElementsAre("host", "host_id", "row_host", "row_host_2", "row_host_id",
                                         "Name", "name_2", "_"));
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0], (std::vector<Cell>{Text("host-7"), Int(7), Text("r"), Text("inner"),
                                              Int(99), Text("n1"), Text("n2"), Text("empty")}));
}

TEST(ReduceTest, RowThatIsNotAnObjectIsRejected) {
  for (const char* bad : {"[1, 2]", "\"text\"", "42", "null"}) {
    const std::vector<ReduceInput> rows = {Input(1, {{"a", "1"}}), {2, "bad-host", bad}};
    const Result<Table> result = Reduce(rows, "SELECT count(*) FROM results", {});
    ASSERT_FALSE(result.has_value()) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(result.error().message, HasSubstr("row 1 (host bad-host) is not a JSON object"));
  }
  for (const char* bad : {"{", "{\"a\": }", "{} {}", ""}) {
    const std::vector<ReduceInput> rows = {{1, "h", bad}};
    const Result<Table> result = Reduce(rows, "SELECT count(*) FROM results", {});
    ASSERT_FALSE(result.has_value()) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(result.error().message, HasSubstr("is not valid JSON")) << bad;
  }
}

TEST(ReduceTest, ReduceSqlThatWritesIsRefusedAndDataStay) {
  Reducer reducer;
  ASSERT_TRUE(reducer.Add({Input(1, {{"a", "1"}}), Input(2, {{"a", "2"}})}).has_value());
  const std::pair<const char*, const char*> writes[] = {
      {"DELETE FROM results", "DELETE is not allowed"},
      {"UPDATE results SET a = 0", "UPDATE is not allowed"},
      {"INSERT INTO results(host) VALUES ('x')", "INSERT is not allowed"},
      {"DROP TABLE results", "DROP TABLE is not allowed"},
      {"ALTER TABLE results ADD COLUMN z", "ALTER TABLE is not allowed"},
      {"ATTACH DATABASE ':memory:' AS other", "ATTACH is not allowed"},
      {"WITH x AS (SELECT 1) DELETE FROM results", "DELETE is not allowed"},
      {"SELECT 1; DELETE FROM results", "only one statement is allowed"},
  };
  for (const auto& [sql, named] : writes) {
    const Result<Table> result = reducer.Evaluate(sql, {});
    ASSERT_FALSE(result.has_value()) << sql;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(result.error().message, HasSubstr(named));
  }
  const Result<Table> after = reducer.Evaluate("SELECT * FROM results ORDER BY host_id", {});
  ASSERT_TRUE(after.has_value());
  EXPECT_THAT(after->columns, ElementsAre("host", "host_id", "a"));
  EXPECT_EQ(after->rows, (std::vector<std::vector<Cell>>{{Text("host-1"), Int(1), Int(1)},
                                                         {Text("host-2"), Int(2), Int(2)}}));

  const Result<Table> one_shot = Reduce({Input(1, {{"a", "1"}})}, "DELETE FROM results", {});
  ASSERT_FALSE(one_shot.has_value());
  EXPECT_THAT(one_shot.error().message, HasSubstr("DELETE is not allowed"));
}

TEST(ReduceTest, LimitsApplyToTheReduceQuery) {
  const std::vector<ReduceInput> rows = {Input(1, {{"a", "1"}}), Input(2, {{"a", "2"}}),
                                         Input(3, {{"a", "3"}})};
  QueryLimits limits;
  limits.max_rows = 2;
  const Table table = MustReduce(rows, "SELECT a FROM results ORDER BY a", limits);
  EXPECT_EQ(table.rows.size(), 2u);
  EXPECT_TRUE(table.truncated);

  limits = {};
  limits.max_time = std::chrono::milliseconds(50);
  const Result<Table> endless = Reduce(
      rows,
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
      limits);
  ASSERT_FALSE(endless.has_value());
  EXPECT_EQ(endless.error().code, ErrorCode::kDeadlineExceeded);
}

TEST(ReducerTest, EmptyReducerHasTheHostColumns) {
  Reducer reducer;
  EXPECT_EQ(reducer.rows(), 0u);
  const Result<Table> table = reducer.Evaluate("SELECT * FROM results", {});
  ASSERT_TRUE(table.has_value()) << table.error().message;
  EXPECT_THAT(table->columns, ElementsAre("host", "host_id"));
  EXPECT_TRUE(table->rows.empty());
  EXPECT_TRUE(reducer.Add({}).has_value());
  EXPECT_EQ(reducer.rows(), 0u);
}

TEST(ReducerTest, FailedAddLeavesNoRowsAndNoColumns) {
  Reducer reducer;
  ASSERT_TRUE(reducer.Add({Input(1, {{"a", "1"}})}).has_value());

  // The first row is fine and brings a new key; the second is bad.
  const Result<void> failed = reducer.Add({Input(2, {{"z", "5"}}), {3, "h3", "[]"}});
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(reducer.rows(), 1u);
  Result<Table> table = reducer.Evaluate("SELECT * FROM results", {});
  ASSERT_TRUE(table.has_value());
  EXPECT_THAT(table->columns, ElementsAre("host", "host_id", "a"));
  EXPECT_EQ(table->rows.size(), 1u);

  // The key comes back as a fresh column, under its own name.
  ASSERT_TRUE(reducer.Add({Input(4, {{"z", "7"}})}).has_value());
  EXPECT_EQ(reducer.rows(), 2u);
  table = reducer.Evaluate("SELECT host_id, a, z FROM results ORDER BY host_id", {});
  ASSERT_TRUE(table.has_value()) << table.error().message;
  EXPECT_EQ(table->rows,
            (std::vector<std::vector<Cell>>{{Int(1), Int(1), Cell()}, {Int(4), Cell(), Int(7)}}));
}

Fields Keys(int from, int to) {
  Fields fields;
  for (int i = from; i < to; ++i) fields.emplace_back("k" + std::to_string(i), "v");
  return fields;
}

TEST(ReducerTest, DistinctKeyLimitAtLimitMinusOneLimitAndPlusOne) {
  Reducer reducer(3);
  ASSERT_TRUE(reducer.Add({Input(1, Keys(0, 2))}).has_value());  // limit - 1
  ASSERT_TRUE(reducer.Add({Input(2, Keys(0, 3))}).has_value());  // limit
  // limit + 1, in a batch whose first row is fine: the batch fails as a whole.
  const Result<void> failed = reducer.Add({Input(3, Keys(0, 1)), Input(4, Keys(0, 4))});
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kTooLarge);
  EXPECT_THAT(failed.error().message, HasSubstr("the limit is 3"));
  EXPECT_THAT(failed.error().message, HasSubstr("\"k3\""));
  EXPECT_EQ(reducer.rows(), 2u);
  const Result<Table> table = reducer.Evaluate("SELECT * FROM results", {});
  ASSERT_TRUE(table.has_value());
  EXPECT_THAT(table->columns, ElementsAre("host", "host_id", "k0", "k1", "k2"));
  EXPECT_EQ(table->rows.size(), 2u);
  // Known keys are still welcome.
  EXPECT_TRUE(reducer.Add({Input(5, Keys(1, 3))}).has_value());
}

TEST(ReducerTest, DefaultDistinctKeyLimit) {
  static_assert(Reducer::kDefaultMaxKeys + 2 <= 2000, "within SQLite's column limit");
  const Result<Table> result =
      Reduce({Input(1, Keys(0, static_cast<int>(Reducer::kDefaultMaxKeys) + 1))},
             "SELECT count(*) FROM results", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kTooLarge);
}

TEST(ReducerTest, IncrementalGivesTheSameAnswerAsOneShot) {
  const char* kNames[] = {"sshd", "nginx", "postgres", "cron", "bash"};
  std::vector<std::vector<ReduceInput>> batches;  // one per host, as hosts answer
  for (int64_t host = 1; host <= 60; ++host) {
    std::vector<ReduceInput>& batch = batches.emplace_back();
    for (int64_t i = 0; i <= host % 4; ++i) {
      Fields fields = {{"name", kNames[(host + i) % 5]}, {"pid", std::to_string(host * 10 + i)}};
      // A key that only later hosts send.
      if (host > 25 && i % 2 == 0) fields.emplace_back("user", host % 3 == 0 ? "root" : "www");
      batch.push_back(Input(host, fields));
    }
  }
  const std::string early_sql =
      "SELECT name, count(*) AS n, sum(pid) AS pids, count(DISTINCT host) AS hosts, avg(pid) "
      "FROM results GROUP BY name ORDER BY name";
  // Refers to `user`, which exists once the 26th host has answered.
  const std::string late_sql =
      "SELECT name, count(*) AS n, sum(pid) AS pids, count(DISTINCT host) AS hosts, "
      "count(user) AS with_user, min(user), max(user), avg(pid) "
      "FROM results GROUP BY name ORDER BY name";

  Reducer reducer;
  std::vector<ReduceInput> so_far;
  for (size_t b = 0; b < batches.size(); ++b) {
    ASSERT_TRUE(reducer.Add(batches[b]).has_value());
    so_far.insert(so_far.end(), batches[b].begin(), batches[b].end());
    EXPECT_EQ(reducer.rows(), so_far.size());
    if (b % 10 != 9 && b + 1 != batches.size()) continue;
    const std::string& sql = b < 25 ? early_sql : late_sql;
    const Result<Table> incremental = reducer.Evaluate(sql, {});
    ASSERT_TRUE(incremental.has_value()) << incremental.error().message;
    const Table one_shot = MustReduce(so_far, sql);
    EXPECT_EQ(TableToJson(*incremental), TableToJson(one_shot)) << "after " << b + 1 << " hosts";
    EXPECT_FALSE(one_shot.rows.empty());
  }
  // The late key is there, and counted.
  const Result<Table> users = reducer.Evaluate("SELECT count(user) FROM results", {});
  ASSERT_TRUE(users.has_value());
  EXPECT_GT(std::get<int64_t>(users->rows[0][0]), 0);
}

TEST(ReducerTest, MovedFromReducerIsEmptyAndUsable) {
  Reducer a;
  ASSERT_TRUE(a.Add({Input(1, {{"x", "1"}})}).has_value());
  Reducer b = std::move(a);
  EXPECT_EQ(b.rows(), 1u);
  EXPECT_EQ(a.rows(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  ASSERT_TRUE(a.Add({Input(2, {{"y", "2"}})}).has_value());
  const Result<Table> table = a.Evaluate("SELECT * FROM results", {});
  ASSERT_TRUE(table.has_value());
  EXPECT_THAT(table->columns, ElementsAre("host", "host_id", "y"));
}

}  // namespace
}  // namespace quarry::search
