// Random numbers for the simulator: xoshiro256** seeded through splitmix64,
// and the samplers it needs, written out so that a seed gives the same
// numbers with every standard library (std::*_distribution does not).
#pragma once

#include <cmath>
#include <cstdint>

#include "yilian/scenario.h"

namespace yilian::detail {

class Rng {
 public:
  /// A stream for `seed` and a stream number (independent streams per purpose).
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t x = seed ^ (0x9e3779b97f4a7c15ULL * (stream + 1));
    for (auto& s : s_) s = splitmix(x);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Exponential with the given mean.
  double exponential(double mean) { return -std::log1p(-uniform()) * mean; }
  /// Standard normal (Box–Muller).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

/// The seed of replication `index`'s streams: the scenario's seed for the
/// first (so that one-replication runs keep their numbers), a mix of the
/// seed and the index for the others. Depends on nothing else, so a
/// replication draws the same numbers on whichever thread runs it.
inline std::uint64_t replication_seed(std::uint64_t seed, std::uint64_t index) {
  if (index == 0) return seed;
  std::uint64_t z = index * 0xd1b54a32d192ed03ULL;
  z = (z ^ (z >> 32)) * 0xd6e8feb86659fd93ULL;
  z = (z ^ (z >> 32)) * 0xd6e8feb86659fd93ULL;
  return seed ^ (z ^ (z >> 32));
}

/// A distribution prepared for sampling (lognormal parameters precomputed).
class Sampler {
 public:
  Sampler() = default;
  explicit Sampler(const Distribution& d) : d_(&d) {
    if (d.kind == Distribution::Kind::lognormal && d.a > 0) {
      const double s2 = std::log1p((d.b * d.b) / (d.a * d.a));
      sigma_ = std::sqrt(s2);
      mu_ = std::log(d.a) - s2 / 2;
    }
  }
  [[nodiscard]] bool empty() const { return d_ == nullptr; }
  double operator()(Rng& r) const {
    const Distribution& d = *d_;
    switch (d.kind) {
      case Distribution::Kind::fixed: return d.a;
      case Distribution::Kind::exponential: return r.exponential(d.a);
      case Distribution::Kind::lognormal: return d.a > 0 ? std::exp(mu_ + sigma_ * r.normal()) : 0.0;
      case Distribution::Kind::triangular: {
        const double lo = d.a, mode = d.b, hi = d.c;
        if (hi <= lo) return lo;
        const double u = r.uniform();
        const double f = (mode - lo) / (hi - lo);
        return u < f ? lo + std::sqrt(u * (hi - lo) * (mode - lo)) : hi - std::sqrt((1 - u) * (hi - lo) * (hi - mode));
      }
      case Distribution::Kind::empirical: {
        if (d.samples.empty()) return 0.0;
        const auto i = static_cast<std::size_t>(r.uniform() * static_cast<double>(d.samples.size()));
        return d.samples[i < d.samples.size() ? i : d.samples.size() - 1];
      }
    }
    return 0.0;
  }

 private:
  const Distribution* d_ = nullptr;
  double mu_ = 0, sigma_ = 0;
};

}  // namespace yilian::detail
