// Streamed statistics: Welford's mean and variance, and a log-linear
// histogram for quantiles. Both use fixed memory whatever the sample size.
#pragma once

#include <cstdint>
#include <vector>

#include "yilian/simulate.h"

namespace yilian::detail {

/// Running mean, variance, minimum and maximum (Welford 1962).
class Welford {
 public:
  void add(double x) {
    ++n_;
    const double d = x - mean_;
    mean_ += d / static_cast<double>(n_);
    m2_ += d * (x - mean_);
    if (n_ == 1 || x < min_) min_ = x;
    if (n_ == 1 || x > max_) max_ = x;
  }
  [[nodiscard]] std::uint64_t count() const { return n_; }
  [[nodiscard]] double mean() const { return mean_; }
  [[nodiscard]] double sd() const;
  [[nodiscard]] double min() const { return min_; }
  [[nodiscard]] double max() const { return max_; }
  /// Adds the sample `o` summarises (Chan, Golub and LeVeque 1979). Into an
  /// empty Welford it is a copy, bit for bit; otherwise the rounding depends
  /// on the order of merges, so merge in a fixed order.
  void merge(const Welford& o);

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0, m2_ = 0, min_ = 0, max_ = 0;
};

/// Counts of non-negative values in buckets: one for [0, kMin), then 64
/// equal buckets per doubling from kMin up (HdrHistogram's layout). A
/// quantile is the midpoint of its bucket: at most 1/128 (0.8 %) off,
/// relative. Values past the last bucket (about 1.7e7 days) share it.
class LogHistogram {
 public:
  static constexpr double kMin = 1e-6;
  static constexpr int kSubBits = 6;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kOctaves = 44;

  LogHistogram() : counts_(1 + kSub * kOctaves, 0) {}
  void add(double x) {
    ++counts_[index(x)];
    ++n_;
  }
  [[nodiscard]] std::uint64_t count() const { return n_; }
  /// Adds the counts of `o`: exact, in any order.
  void merge(const LogHistogram& o);
  /// The q-quantile (0 <= q <= 1): the midpoint of the bucket holding the
  /// ceil(q·n)-th smallest value (the smallest for q = 0).
  [[nodiscard]] double quantile(double q) const;
  /// Equal-width bins over [lo, hi): each bucket's count goes to the bin of
  /// its midpoint.
  [[nodiscard]] Histogram bins(double lo, double hi, int n) const;
  static std::size_t index(double x);
  /// The midpoint of bucket i.
  static double midpoint(std::size_t i);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t n_ = 0;
};

/// A Welford and a histogram of the same sample.
class Sample {
 public:
  void add(double x) {
    w_.add(x);
    h_.add(x);
  }
  [[nodiscard]] Summary summary() const;
  [[nodiscard]] const Welford& welford() const { return w_; }
  [[nodiscard]] Welford& welford() { return w_; }
  [[nodiscard]] const LogHistogram& histogram() const { return h_; }
  [[nodiscard]] LogHistogram& histogram() { return h_; }

 private:
  Welford w_;
  LogHistogram h_;
};

}  // namespace yilian::detail
