// Deterministic pseudo-random numbers for the simulated fleet.
//
// Everything a simulated host is and answers is derived from (fleet seed, host index) and,
// for values that change over time, a time bucket. Nothing is stored per host, so the same
// inputs must always give the same outputs, on every platform and compiler: these generators
// use only 64-bit integer arithmetic (splitmix64), never <random>'s distributions, whose
// results are implementation-defined.
//
// Thread-safety: the free functions are pure; a SimRng is a value owned by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace quarry::sim {

// One splitmix64 output step: a bijective, well-mixed function of x.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A stateless hash of a few integers, used to derive independent streams ("the k-th
// process of host h in 5-minute bucket b") without walking a generator.
constexpr uint64_t Hash64(uint64_t a, uint64_t b) { return Mix64(Mix64(a) ^ (b * 0xD6E8FEB86659FD93ull)); }
constexpr uint64_t Hash64(uint64_t a, uint64_t b, uint64_t c) { return Hash64(Hash64(a, b), c); }

// FNV-1a of a string, for turning names into stream ids.
constexpr uint64_t HashName(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  return h;
}

// A splitmix64 stream. Small (8 bytes), fast, and good enough for simulation data.
class SimRng {
 public:
  explicit constexpr SimRng(uint64_t seed) : state_(seed) {}

  constexpr uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n). n == 0 returns 0. Multiply-shift: bias below 2^-32 for our n.
  constexpr uint64_t Below(uint64_t n) {
    if (n == 0) return 0;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [lo, hi] (inclusive). REQUIRES: lo <= hi.
  constexpr int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1) with 53 bits.
  constexpr double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  constexpr bool Chance(double p) { return Unit() < p; }

  template <class T>
  constexpr const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

  // Index drawn with probability proportional to weights[i]. REQUIRES: a positive sum.
  size_t Weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Unit() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  uint64_t state_;
};

}  // namespace quarry::sim
