#include "sim/stats.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>

namespace yilian::detail {

double Welford::sd() const { return n_ > 1 ? std::sqrt(m2_ / static_cast<double>(n_ - 1)) : 0.0; }

void Welford::merge(const Welford& o) {
  if (o.n_ == 0) return;
  if (n_ == 0) {
    *this = o;
    return;
  }
  const double na = static_cast<double>(n_), nb = static_cast<double>(o.n_);
  const std::uint64_t n = n_ + o.n_;
  const double d = o.mean_ - mean_;
  mean_ += d * nb / static_cast<double>(n);
  m2_ += o.m2_ + d * d * na * nb / static_cast<double>(n);
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
  n_ = n;
}

void LogHistogram::merge(const LogHistogram& o) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  n_ += o.n_;
}

std::size_t LogHistogram::index(double x) {
  if (!(x >= kMin)) return 0;  // also NaN
  // y = x/kMin >= 1 is 1.f·2^E: the octave is E, the sub-bucket the top
  // bits of f (read from the IEEE-754 bits; frexp() is a library call).
  const auto bits = std::bit_cast<std::uint64_t>(x / kMin);
  const auto exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  if (exponent >= kOctaves) return static_cast<std::size_t>(kSub) * kOctaves;  // the last bucket (also +inf)
  const auto sub = static_cast<std::size_t>((bits >> (52 - kSubBits)) & (kSub - 1));
  return 1 + static_cast<std::size_t>(exponent) * kSub + sub;
}

double LogHistogram::midpoint(std::size_t i) {
  if (i == 0) return 0.0;
  const std::size_t octave = (i - 1) / kSub, sub = (i - 1) % kSub;
  const double base = std::ldexp(kMin, static_cast<int>(octave));
  return base * (1.0 + (static_cast<double>(sub) + 0.5) / kSub);
}

double LogHistogram::quantile(double q) const {
  if (n_ == 0) return 0.0;
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return midpoint(i);
  }
  return midpoint(counts_.size() - 1);
}

Histogram LogHistogram::bins(double lo, double hi, int n) const {
  Histogram h;
  h.lo = lo;
  h.width = n > 0 && hi > lo ? (hi - lo) / n : 1.0;
  h.counts.assign(static_cast<std::size_t>(std::max(n, 0)), 0);
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const double x = midpoint(i);
    const double pos = (x - lo) / h.width;
    if (pos < 0) {
      if (!h.counts.empty()) h.counts.front() += counts_[i];
    } else if (pos >= static_cast<double>(h.counts.size())) {
      h.above += counts_[i];
    } else {
      h.counts[static_cast<std::size_t>(pos)] += counts_[i];
    }
  }
  return h;
}

Summary Sample::summary() const {
  Summary s;
  s.count = w_.count();
  if (s.count == 0) return s;
  s.mean = w_.mean();
  s.sd = w_.sd();
  s.min = w_.min();
  s.max = w_.max();
  // Bucket midpoints can fall just outside the observed range.
  auto q = [&](double p) { return std::clamp(h_.quantile(p), s.min, s.max); };
  s.p50 = q(0.50);
  s.p90 = q(0.90);
  s.p99 = q(0.99);
  return s;
}

}  // namespace yilian::detail
