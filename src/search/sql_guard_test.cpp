#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "search/sqlite_read_only.h"

namespace quarry::search {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A small database with one of everything the refused statements could touch:
// a table with rows, an index, a view and an attached database.
class SqlGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Exec(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT);"
        "INSERT INTO t(name) VALUES ('alpha'), ('beta'), ('gamma');"
        "CREATE INDEX t_name ON t(name);"
        "CREATE VIEW tv AS SELECT name FROM t;"
        "CREATE TABLE child(parent INTEGER REFERENCES t(id));"
        "ATTACH DATABASE ':memory:' AS aux;"
        // Opens the temp schema now, so that Snapshot() lists it every time.
        "SELECT count(*) FROM temp.sqlite_schema;");
  }
  void TearDown() override { sqlite3_close(db_); }

  void Exec(const char* sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
  }

  // Everything a refused statement might have changed, as text, read directly
  // (not through the guard).
  std::string Snapshot() {
    std::string out;
    const char* queries[] = {
        "SELECT type, name, sql FROM sqlite_schema ORDER BY name",
        "SELECT id, name FROM t ORDER BY id",
        "SELECT name FROM pragma_database_list ORDER BY name",
        "PRAGMA journal_mode",
        "PRAGMA user_version",
        "PRAGMA writable_schema",
        "PRAGMA foreign_keys",
        "SELECT 'a' LIKE 'A'",  // PRAGMA case_sensitive_like acts at compile time
        "SELECT count(*) FROM sqlite_temp_schema",
    };
    for (const char* query : queries) {
      out += query;
      out += " →";
      char* error = nullptr;
      sqlite3_exec(
          db_, query,
          [](void* user, int n, char** values, char**) {
            auto* text = static_cast<std::string*>(user);
            for (int i = 0; i < n; ++i)
              *text += std::string(" ") + (values[i] ? values[i] : "NULL");
            *text += ";";
            return 0;
          },
          &out, &error);
      if (error != nullptr) {
        out += error;
        sqlite3_free(error);
      }
      out += "\n";
    }
    return out;
  }

  Result<Table> Run(std::string_view sql, QueryLimits limits = {}) {
    return RunReadOnly(db_, sql, limits);
  }

  sqlite3* db_ = nullptr;
};

struct RefusedCase {
  const char* sql;
  const char* named;  // the message must contain this
};

void PrintTo(const RefusedCase& c, std::ostream* os) { *os << '"' << c.sql << '"'; }

class SqlGuardRefusesTest : public SqlGuardTest,
                            public ::testing::WithParamInterface<RefusedCase> {};

TEST_P(SqlGuardRefusesTest, RefusedWithANamedReasonAndNothingChanges) {
  const std::string before = Snapshot();
  const Result<Table> result = Run(GetParam().sql);
  ASSERT_FALSE(result.has_value()) << GetParam().sql;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.error().message, HasSubstr(GetParam().named)) << GetParam().sql;
  EXPECT_EQ(Snapshot(), before);
}

INSTANTIATE_TEST_SUITE_P(
    Statements, SqlGuardRefusesTest,
    ::testing::Values(
        RefusedCase{"ATTACH DATABASE ':memory:' AS other", "ATTACH is not allowed"},
        RefusedCase{"DETACH DATABASE aux", "DETACH is not allowed"},
        RefusedCase{"INSERT INTO t(name) VALUES ('x')", "INSERT is not allowed"},
        RefusedCase{"INSERT INTO t(name) VALUES ('x') RETURNING id", "INSERT is not allowed"},
        RefusedCase{"REPLACE INTO t(id, name) VALUES (1, 'x')", "REPLACE is not allowed"},
        RefusedCase{"INSERT OR REPLACE INTO t(id, name) VALUES (1, 'x')", "INSERT is not allowed"},
        RefusedCase{"UPDATE t SET name = 'x'", "UPDATE is not allowed"},
        RefusedCase{"DELETE FROM t", "DELETE is not allowed"},
        RefusedCase{"CREATE TABLE u(x)", "CREATE TABLE is not allowed"},
        RefusedCase{"CREATE TEMP TABLE u(x)", "CREATE TABLE is not allowed"},
        RefusedCase{"CREATE TABLE aux.u AS SELECT * FROM t", "CREATE TABLE is not allowed"},
        RefusedCase{"CREATE INDEX i ON t(name)", "CREATE INDEX is not allowed"},
        RefusedCase{"CREATE VIEW v AS SELECT 1", "CREATE VIEW is not allowed"},
        RefusedCase{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
                    "CREATE TRIGGER is not allowed"},
        RefusedCase{"CREATE VIRTUAL TABLE f USING fts5(x)", "CREATE VIRTUAL TABLE is not allowed"},
        RefusedCase{"DROP TABLE t", "DROP TABLE is not allowed"},
        RefusedCase{"DROP INDEX t_name", "DROP INDEX is not allowed"},
        RefusedCase{"DROP VIEW tv", "DROP VIEW is not allowed"},
        RefusedCase{"ALTER TABLE t ADD COLUMN y", "ALTER TABLE is not allowed"},
        RefusedCase{"ALTER TABLE t RENAME TO u", "ALTER TABLE is not allowed"},
        RefusedCase{"PRAGMA journal_mode=DELETE", "PRAGMA journal_mode is not allowed"},
        RefusedCase{"PRAGMA journal_mode", "PRAGMA journal_mode is not allowed"},
        RefusedCase{"PRAGMA writable_schema=1", "PRAGMA writable_schema is not allowed"},
        RefusedCase{"PRAGMA user_version=7", "PRAGMA user_version is not allowed"},
        RefusedCase{"PRAGMA foreign_keys=ON", "PRAGMA foreign_keys is not allowed"},
        RefusedCase{"PRAGMA case_sensitive_like=1", "PRAGMA case_sensitive_like is not allowed"},
        RefusedCase{"SELECT * FROM pragma_user_version", "PRAGMA user_version is not allowed"},
        RefusedCase{"BEGIN", "BEGIN is not allowed"},
        RefusedCase{"BEGIN IMMEDIATE", "BEGIN is not allowed"},
        RefusedCase{"COMMIT", "COMMIT is not allowed"}, RefusedCase{"END", "COMMIT is not allowed"},
        RefusedCase{"ROLLBACK", "ROLLBACK is not allowed"},
        RefusedCase{"SAVEPOINT s", "SAVEPOINT is not allowed"},
        RefusedCase{"RELEASE s", "RELEASE is not allowed"},
        RefusedCase{"ROLLBACK TO s", "ROLLBACK TO is not allowed"},
        RefusedCase{"VACUUM", "VACUUM is not allowed"},
        RefusedCase{"REINDEX", "REINDEX is not allowed"},
        RefusedCase{"ANALYZE", "ANALYZE is not allowed"},
        RefusedCase{"SELECT load_extension('x')", "function load_extension() is not allowed"},
        RefusedCase{"SELECT LOAD_EXTENSION('x', 'y')", "function load_extension() is not allowed"},
        RefusedCase{"SELECT fts3_tokenizer('simple')", "function fts3_tokenizer() is not allowed"},
        RefusedCase{"SELECT 1; DELETE FROM t", "only one statement is allowed"},
        RefusedCase{"SELECT 1; SELECT 2", "only one statement is allowed"},
        RefusedCase{"SELECT 1; -- fine so far\n DELETE FROM t", "only one statement is allowed"},
        RefusedCase{"DELETE FROM t; SELECT 1", "DELETE is not allowed"},
        RefusedCase{"WITH x AS (SELECT 1) DELETE FROM t", "DELETE is not allowed"},
        RefusedCase{"WITH x AS (SELECT 'x') INSERT INTO t(name) SELECT * FROM x",
                    "INSERT is not allowed"},
        RefusedCase{"EXPLAIN DELETE FROM t", "DELETE is not allowed"},
        RefusedCase{"EXPLAIN QUERY PLAN UPDATE t SET name = 'x'", "UPDATE is not allowed"},
        RefusedCase{"EXPLAIN VACUUM", "VACUUM is not allowed"}));

TEST_F(SqlGuardTest, SchemaTableWritesAreRefusedEvenWhenTheOwnerAllowsThem) {
  // The authorizer lets schema-table writes through at compile time (SQLite
  // checks them for CREATE and for table-valued functions);
  // sqlite3_stmt_readonly must catch a real one.
  Exec("PRAGMA writable_schema=ON;");
  const std::string before = Snapshot();
  for (const char* sql :
       {"UPDATE sqlite_schema SET sql = sql", "DELETE FROM sqlite_master WHERE name = 'tv'",
        "INSERT INTO sqlite_master VALUES ('table', 'x', 'x', 0, 'CREATE TABLE x(y)')"}) {
    const Result<Table> result = Run(sql);
    ASSERT_FALSE(result.has_value()) << sql;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(result.error().message, HasSubstr("is not allowed in search (read-only)")) << sql;
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(SqlGuardTest, NulByteDoesNotHideASecondStatement) {
  const std::string before = Snapshot();
  const std::string sql("SELECT 1;\0DELETE FROM t", 23);
  const Result<Table> result = Run(sql);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(SqlGuardTest, VacuumIntoWritesNoFile) {
  const std::string path = ::testing::TempDir() + "/quarry_search_vacuum_into.db";
  std::remove(path.c_str());
  const Result<Table> result = Run("VACUUM INTO '" + path + "'");
  ASSERT_FALSE(result.has_value());
  EXPECT_THAT(result.error().message, HasSubstr("VACUUM is not allowed"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(SqlGuardTest, SelectReturnsColumnsAndRows) {
  const Result<Table> result = Run("SELECT id, name FROM t ORDER BY id");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_THAT(result->columns, ElementsAre("id", "name"));
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0], (std::vector<Cell>{int64_t{1}, std::string("alpha")}));
  EXPECT_EQ(result->rows[2], (std::vector<Cell>{int64_t{3}, std::string("gamma")}));
  EXPECT_FALSE(result->truncated);
}

TEST_F(SqlGuardTest, CellsKeepTheirTypesAndBlobsBecomeHex) {
  const Result<Table> result =
      Run("SELECT NULL AS n, 42 AS i, 2.5 AS r, 'text' AS s, x'00ff1a' AS b");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_THAT(result->columns, ElementsAre("n", "i", "r", "s", "b"));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0], (std::vector<Cell>{std::monostate{}, int64_t{42}, 2.5,
                                                std::string("text"), std::string("00FF1A")}));
}

TEST_F(SqlGuardTest, AllowedReadForms) {
  const char* allowed[] = {
      "SELECT 1",
      "select 1;",
      "SELECT 1 ; ;  -- trailing comment\n /* block */ ;",
      "/* leading */ -- and a line\n SELECT 1",
      "SELECT 1 /* unterminated trailing comment",
      "WITH x AS (SELECT name FROM t) SELECT count(*) FROM x",
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c",
      "VALUES (1, 'a'), (2, 'b')",
      "SELECT * FROM tv",
      "SELECT count(*) FROM aux.sqlite_schema",
      "SELECT upper(name), length(name), json_object('n', name) FROM t",
      "EXPLAIN SELECT * FROM t",
      "EXPLAIN QUERY PLAN SELECT * FROM t WHERE name = 'beta'",
      "PRAGMA table_info(t)",
      "PRAGMA table_xinfo = t",
      "PRAGMA main.table_list",
      "PRAGMA index_list(t)",
      "PRAGMA index_info(t_name)",
      "PRAGMA index_xinfo(t_name)",
      "PRAGMA foreign_key_list(child)",
      "SELECT name FROM pragma_table_info('t')",
  };
  for (const char* sql : allowed) {
    const Result<Table> result = Run(sql);
    EXPECT_TRUE(result.has_value()) << sql << ": " << result.error().message;
    if (result.has_value()) {
      EXPECT_FALSE(result->rows.empty()) << sql;
    }
  }
}

TEST_F(SqlGuardTest, ExplainQueryPlanDescribesTheQuery) {
  const Result<Table> result = Run("EXPLAIN QUERY PLAN SELECT * FROM t WHERE name = 'beta'");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_THAT(result->columns, ::testing::Contains("detail"));
  ASSERT_FALSE(result->rows.empty());
  const auto* detail = std::get_if<std::string>(&result->rows[0].back());
  ASSERT_NE(detail, nullptr);
  EXPECT_THAT(*detail, HasSubstr("t_name"));
}

TEST_F(SqlGuardTest, PragmaTableInfoListsColumns) {
  const Result<Table> result = Run("SELECT name FROM pragma_table_info('t') ORDER BY cid");
  ASSERT_TRUE(result.has_value()) << result.error().message;
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->rows[0][0], Cell(std::string("id")));
  EXPECT_EQ(result->rows[1][0], Cell(std::string("name")));
}

TEST_F(SqlGuardTest, SqliteErrorsComeBackAsInvalidArgumentWithSqlitesMessage) {
  Result<Table> result = Run("SELEC 1");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.error().message, HasSubstr("syntax error"));

  result = Run("SELECT * FROM missing");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.error().message, HasSubstr("no such table: missing"));
}

TEST_F(SqlGuardTest, EmptyQueryIsRefused) {
  for (const char* sql : {"", "   ", "-- nothing\n", ";"}) {
    const Result<Table> result = Run(sql);
    ASSERT_FALSE(result.has_value()) << sql;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(result.error().message, HasSubstr("empty")) << sql;
  }
}

TEST_F(SqlGuardTest, SqlSizeLimitAtLimitMinusOneLimitAndPlusOne) {
  const std::string sql = "SELECT 1 + 1";  // 12 bytes
  QueryLimits limits;
  limits.max_sql_bytes = sql.size() - 1;
  Result<Table> result = Run(sql, limits);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kTooLarge);
  EXPECT_THAT(result.error().message, HasSubstr("the limit is 11 bytes"));

  limits.max_sql_bytes = sql.size();
  EXPECT_TRUE(Run(sql, limits).has_value());
  limits.max_sql_bytes = sql.size() + 1;
  EXPECT_TRUE(Run(sql, limits).has_value());
}

TEST_F(SqlGuardTest, RowLimitTruncatesAtLimitMinusOneOnly) {
  // t has 3 rows.
  QueryLimits limits;
  limits.max_rows = 2;
  Result<Table> result = Run("SELECT name FROM t ORDER BY id", limits);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rows.size(), 2u);
  EXPECT_TRUE(result->truncated);

  limits.max_rows = 3;
  result = Run("SELECT name FROM t ORDER BY id", limits);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rows.size(), 3u);
  EXPECT_FALSE(result->truncated);

  limits.max_rows = 4;
  result = Run("SELECT name FROM t ORDER BY id", limits);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rows.size(), 3u);
  EXPECT_FALSE(result->truncated);

  limits.max_rows = 0;
  result = Run("SELECT name FROM t ORDER BY id", limits);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->rows.empty());
  EXPECT_TRUE(result->truncated);
  EXPECT_THAT(result->columns, ElementsAre("name"));
}

TEST_F(SqlGuardTest, RowLimitStopsAnEndlessQuery) {
  QueryLimits limits;
  limits.max_rows = 1000;
  const Result<Table> result = Run(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c", limits);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->rows.size(), 1000u);
  EXPECT_TRUE(result->truncated);
  EXPECT_EQ(result->rows.back()[0], Cell(int64_t{1000}));
}

TEST_F(SqlGuardTest, EndlessQueryStopsAtTheTimeLimit) {
  QueryLimits limits;
  limits.max_time = std::chrono::milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  const Result<Table> result =
      Run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
          limits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(result.error().message, "query took longer than 100 ms");
  // Behaviour, not a benchmark: it stopped, and not much later than asked.
  EXPECT_GE(elapsed, std::chrono::milliseconds(100));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));

  // The connection is usable, and the progress handler is gone: a direct query
  // that runs far more than 1000 instructions completes.
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db_,
                         "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                         "WHERE x < 100000) SELECT count(*) FROM c",
                         nullptr, nullptr, &error),
            SQLITE_OK)
      << (error != nullptr ? error : "");
  sqlite3_free(error);
  EXPECT_TRUE(Run("SELECT count(*) FROM t").has_value());
}

TEST_F(SqlGuardTest, HugeTimeLimitMeansNoLimit) {
  QueryLimits limits;
  limits.max_time = std::chrono::milliseconds::max();
  const Result<Table> result = Run("SELECT count(*) FROM t", limits);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->rows[0][0], Cell(int64_t{3}));
}

TEST_F(SqlGuardTest, HandlersAreRemovedAfterwards) {
  ASSERT_FALSE(Run("DELETE FROM t").has_value());
  ASSERT_TRUE(Run("SELECT 1").has_value());
  // Without the guard the owner of the connection writes as before.
  Exec("INSERT INTO t(name) VALUES ('delta'); CREATE TABLE u(x); DROP TABLE u;");
  const Result<Table> result = Run("SELECT count(*) FROM t");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->rows[0][0], Cell(int64_t{4}));
}

TEST_F(SqlGuardTest, ExtensionLoadingIsSwitchedOff) {
  ASSERT_TRUE(sqlite3_enable_load_extension(db_, 1) == SQLITE_OK);
  ASSERT_TRUE(Run("SELECT 1").has_value());
  char* error = nullptr;
  EXPECT_NE(sqlite3_load_extension(db_, "/nonexistent/quarry_ext", nullptr, &error), SQLITE_OK);
  ASSERT_NE(error, nullptr);
  EXPECT_THAT(std::string(error), HasSubstr("not authorized"));
  sqlite3_free(error);
}

}  // namespace
}  // namespace quarry::search
