#include "search/table.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <limits>
#include <string>

namespace quarry::search {
namespace {

Table Sample() {
  Table table;
  table.columns = {"n", "i", "r", "s"};
  table.rows.push_back({std::monostate{}, int64_t{-42}, 2.5, std::string("plain")});
  table.rows.push_back({int64_t{INT64_MAX}, int64_t{0}, 0.1, std::string("a,b \"q\"\r\nx")});
  table.rows.push_back(
      {std::string(""), int64_t{1}, std::numeric_limits<double>::infinity(), std::string("ünï")});
  return table;
}

TEST(TableToJsonTest, ShapeAndValues) {
  Table table = Sample();
  table.truncated = true;
  const boost::json::value json = boost::json::parse(TableToJson(table));
  const boost::json::object& object = json.as_object();
  ASSERT_EQ(object.size(), 3u);
  EXPECT_EQ(object.at("columns"), boost::json::parse(R"(["n","i","r","s"])"));
  EXPECT_TRUE(object.at("truncated").as_bool());
  const boost::json::array& rows = object.at("rows").as_array();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], boost::json::parse(R"([null,-42,2.5,"plain"])"));
  EXPECT_EQ(rows[1].as_array()[0].as_int64(), INT64_MAX);
  EXPECT_EQ(rows[1].as_array()[2].as_double(), 0.1);
  EXPECT_EQ(rows[1].as_array()[3].as_string(), "a,b \"q\"\r\nx");
  // Infinity has no JSON number.
  EXPECT_EQ(rows[2], boost::json::parse(R"(["",1,null,"ünï"])"));
}

TEST(TableToJsonTest, EmptyTable) {
  EXPECT_EQ(TableToJson(Table{}), R"({"columns":[],"rows":[],"truncated":false})");
}

TEST(TableToCsvTest, Rfc4180Quoting) {
  EXPECT_EQ(TableToCsv(Sample()),
            "n,i,r,s\r\n"
            ",-42,2.5,plain\r\n"
            "9223372036854775807,0,0.1,\"a,b \"\"q\"\"\r\nx\"\r\n"
            "\"\",1,inf,ünï\r\n");
}

TEST(TableToCsvTest, HeaderNamesAreQuotedToo) {
  Table table;
  table.columns = {"count(*)", "a,b", "say \"hi\""};
  EXPECT_EQ(TableToCsv(table), "count(*),\"a,b\",\"say \"\"hi\"\"\"\r\n");
}

}  // namespace
}  // namespace quarry::search
