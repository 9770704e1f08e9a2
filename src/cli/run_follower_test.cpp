#include "cli/run_follower.h"

#include <gtest/gtest.h>

namespace quarry::cli {
namespace {
namespace json = boost::json;

std::string RowsEvent(std::initializer_list<int> seqs) {
  json::array rows;
  for (int seq : seqs) {
    rows.push_back(json::object{{"seq", seq},
                                {"host_id", 3},
                                {"host", "web-3"},
                                {"row", json::object{{"name", "r" + std::to_string(seq)}}}});
  }
  return json::serialize(json::object{{"rows", std::move(rows)}});
}

TEST(FlattenResultRowTest, HostColumnsFirstThenTheRow) {
  auto flat = FlattenResultRow(
      json::parse(R"({"seq":7,"host_id":3,"host":"web-3","row":{"name":"ubuntu","major":"22"}})")
          .as_object());
  EXPECT_EQ(json::serialize(flat), R"({"host_id":3,"host":"web-3","name":"ubuntu","major":"22"})");
}

TEST(FlattenResultRowTest, RowColumnsNamedLikeOursAreRenamed) {
  auto flat = FlattenResultRow(
      json::parse(
          R"({"seq":1,"host_id":3,"host":"web-3","row":{"host":"example.com","host_id":"x"}})")
          .as_object());
  EXPECT_EQ(json::serialize(flat),
            R"({"host_id":3,"host":"web-3","row_host":"example.com","row_host_id":"x"})");
}

TEST(ProgressLineTest, Format) {
  Progress p;
  p.targeted = 40;
  p.answered = 37;
  p.failed = 1;
  p.offline = 2;
  p.rows = 1234;
  EXPECT_EQ(ProgressLine(p), "37/40 answered, 1 failed, 2 offline, 1234 rows");
  p.rows = 1;
  EXPECT_EQ(ProgressLine(p), "37/40 answered, 1 failed, 2 offline, 1 row");
}

TEST(RunFollowerTest, ProgressEvents) {
  RunFollower f;
  auto up =
      f.OnEvent("progress", "",
                R"({"targeted":3,"online":2,"offline":1,"answered":1,"rows":4,"done":false})");
  EXPECT_TRUE(up.progress_changed);
  EXPECT_EQ(f.progress().targeted, 3);
  EXPECT_EQ(f.progress().offline, 1);
  EXPECT_EQ(f.answered(), 1);
  EXPECT_FALSE(f.ended());
}

TEST(RunFollowerTest, RowsAreDeduplicatedBySeqAcrossReconnects) {
  RunFollower f;
  auto up = f.OnEvent("rows", "2", RowsEvent({1, 2}));
  ASSERT_EQ(up.rows.size(), 2u);
  EXPECT_EQ(json::serialize(up.rows[0]), R"({"host_id":3,"host":"web-3","name":"r1"})");
  EXPECT_EQ(f.last_seq(), 2);
  // A resumed stream repeating seq 2 yields only the new row.
  up = f.OnEvent("rows", "3", RowsEvent({2, 3}));
  ASSERT_EQ(up.rows.size(), 1u);
  EXPECT_EQ(up.rows[0].at("name"), json::value("r3"));
  EXPECT_EQ(f.last_seq(), 3);
}

TEST(RunFollowerTest, AFailedHostIsReportedOnce) {
  RunFollower f;
  const char* failed =
      R"({"host_id":5,"hostname":"web-5","state":"failed","status":1,"message":"no such table: foo"})";
  auto up = f.OnEvent("host", "", failed);
  ASSERT_EQ(up.failures.size(), 1u);
  EXPECT_EQ(up.failures[0], "host web-5: no such table: foo");
  // Host states are re-sent in full after a reconnect.
  EXPECT_TRUE(f.OnEvent("host", "", failed).failures.empty());
  // No hostname, no message.
  up = f.OnEvent("host", "", R"({"host_id":6,"state":"failed","status":2})");
  ASSERT_EQ(up.failures.size(), 1u);
  EXPECT_EQ(up.failures[0], "host #6: failed (status 2)");
  EXPECT_EQ(f.hosts().size(), 2u);
}

TEST(RunFollowerTest, AnsweredCountsHostStatesToo) {
  RunFollower f;
  f.OnEvent("host", "", R"({"host_id":1,"hostname":"a","state":"answered","rows":2})");
  f.OnEvent("host", "", R"({"host_id":2,"hostname":"b","state":"picked_up"})");
  EXPECT_EQ(f.answered(), 1);
  f.OnEvent("progress", "", R"({"targeted":2,"answered":2})");
  EXPECT_EQ(f.answered(), 2);
}

TEST(RunFollowerTest, ReduceAndEnd) {
  RunFollower f;
  f.OnEvent("reduce", "", R"({"columns":["n"],"rows":[[3]],"truncated":false})");
  ASSERT_TRUE(f.reduce());
  EXPECT_EQ(f.reduce()->at("rows").as_array().size(), 1u);
  f.OnEvent("end", "", R"({"id":9,"status":"finished"})");
  ASSERT_TRUE(f.ended());
  EXPECT_EQ(f.end_run()->at("status"), json::value("finished"));
}

TEST(RunFollowerTest, MalformedEventsAreCountedAndIgnored) {
  RunFollower f;
  EXPECT_TRUE(f.OnEvent("rows", "", "not json").rows.empty());
  EXPECT_TRUE(f.OnEvent("rows", "", R"({"rows":7})").rows.empty());
  EXPECT_TRUE(f.OnEvent("host", "", R"({"state":"failed"})").failures.empty());
  EXPECT_EQ(f.bad_events(), 3u);
  // Unknown events are not errors.
  f.OnEvent("message", "", "hello");
  f.OnEvent("ping", "", "{}");
  EXPECT_EQ(f.bad_events(), 3u);
  EXPECT_FALSE(f.ended());
}

}  // namespace
}  // namespace quarry::cli
