// The osquery tables a simulated host answers, generated on demand from its HostProfile.
//
// Each TableDef names an osquery table, its columns with osquery's declared types (from the
// osquery 5.x specs), the platforms it exists on, and a generator that writes the host's rows
// at a given time into a RowBuffer. Nothing is cached here: a generator is a pure function of
// (profile, now), so 100,000 hosts cost nothing at rest. Values that change over time (time,
// uptime, CPU times, logins, short-lived processes) are derived from `now`; the rest is stable.
//
// Columns: `columns` is the union over platforms in osquery's order; a column whose
// `platforms` excludes the host's family does not exist on that host (osquery's
// extended_schema). TableColumns() gives what `SELECT *` shows on one platform. Generators
// write every value as text; the query engine converts INTEGER/BIGINT/DOUBLE columns to
// numbers the way osquery does (empty or unparsable → NULL).
//
// Tables (osquery names): os_version, system_info, osquery_info, platform_info, processes,
// users, logged_in_users, last (posix), time, uptime, interface_addresses, listening_ports,
// kernel_info, deb_packages and rpm_packages (linux; empty unless the distro uses that format),
// programs (windows), apps (darwin).
//
// Thread-safety: the table list is immutable; generators are pure and may run concurrently
// on different RowBuffers. A RowBuffer is a plain value owned by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/host_profile.h"

namespace quarry::sim {

enum class ColumnType : uint8_t { kText, kInteger, kBigInt, kDouble };

// osquery's type name, used as the declared SQL type: TEXT, INTEGER, BIGINT, DOUBLE.
std::string_view ColumnTypeName(ColumnType type);

// Platform bit sets for ColumnDef::platforms and TableDef::platforms.
inline constexpr uint8_t kOnLinux = 1;
inline constexpr uint8_t kOnDarwin = 2;
inline constexpr uint8_t kOnWindows = 4;
inline constexpr uint8_t kOnPosix = kOnLinux | kOnDarwin;
inline constexpr uint8_t kOnAll = kOnLinux | kOnDarwin | kOnWindows;

constexpr uint8_t PlatformBit(PlatformFamily family) {
  return static_cast<uint8_t>(1u << static_cast<unsigned>(family));
}

struct ColumnDef {
  std::string_view name;
  ColumnType type = ColumnType::kText;
  uint8_t platforms = kOnAll;
};

// Row-major text cells of one generated table. Cells of a new row start empty; a cell never
// set reads as "". Strings live in one arena, so generating a table costs a handful of
// allocations (none once the buffer has grown to size and is reused).
class RowBuffer {
 public:
  // Empties the buffer for a table `width` columns wide; keeps capacity.
  void Reset(size_t width);
  // Appends a row of empty cells. The Set calls write into the newest row.
  void AddRow();
  // REQUIRES: a row was added; column < width(); value does not point into this buffer.
  void Set(size_t column, std::string_view value);
  void SetInt(size_t column, int64_t value);

  size_t rows() const { return width_ == 0 ? 0 : cells_.size() / width_; }
  size_t width() const { return width_; }
  // REQUIRES: row < rows(), column < width().
  std::string_view Get(size_t row, size_t column) const {
    const Cell& c = cells_[row * width_ + column];
    return std::string_view(text_.data() + c.offset, c.size);
  }
  // Bytes held (capacity), for memory accounting.
  size_t MemoryBytes() const { return text_.capacity() + cells_.capacity() * sizeof(Cell); }

 private:
  struct Cell {
    uint32_t offset;
    uint32_t size;
  };
  size_t width_ = 0;
  std::string text_;
  std::vector<Cell> cells_;
};

// Writes the host's rows at time now_unix (Unix seconds). Columns the host's platform lacks
// are left empty. REQUIRES: out was Reset to the table's columns.size().
using TableGenerator = void (*)(const HostProfile& host, int64_t now_unix, RowBuffer& out);

struct TableDef {
  std::string_view name;
  uint8_t platforms = kOnAll;
  std::span<const ColumnDef> columns;
  TableGenerator generate = nullptr;
  double estimated_rows = 1;  // a planner hint
};

// All tables, in a fixed order.
std::span<const TableDef> HostTables();

// The table called `name`, or nullptr.
const TableDef* FindHostTable(std::string_view name);

inline bool TableOnPlatform(const TableDef& table, PlatformFamily family) {
  return (table.platforms & PlatformBit(family)) != 0;
}

// Indexes into table.columns of the columns that exist on `family`, in SELECT * order.
std::vector<size_t> TableColumns(const TableDef& table, PlatformFamily family);

// Convenience: generate `table` for `host` into `out` (Reset included).
void GenerateTable(const TableDef& table, const HostProfile& host, int64_t now_unix,
                   RowBuffer& out);

}  // namespace quarry::sim
