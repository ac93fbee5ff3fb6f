// Distributions of durations and the CSV inputs of a scenario (empirical
// service times, arrival traces).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "yilian/scenario.h"

namespace yilian {
namespace {

constexpr double kMaxDays = 100000;  // a duration past ~400 years is a typo

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

std::optional<double> number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

/// Lines of a CSV file with their first column, for the two CSV inputs.
Result<std::vector<std::pair<int, std::string>>> first_column(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::io(fmt::format("{}: no such file", path));
  if (std::filesystem::file_size(path, ec) > (64u << 20)) return Status::io(fmt::format("{}: larger than 64 MiB", path));
  std::ifstream in(path);
  if (!in) return Status::io(fmt::format("{}: cannot be read", path));
  std::vector<std::pair<int, std::string>> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string_view l = line;
    if (n == 1 && l.starts_with("\xEF\xBB\xBF")) l.remove_prefix(3);  // a BOM from spreadsheets
    const std::string_view cell = trim(split(l, ',').front());
    if (cell.empty() || cell.front() == '#') continue;
    rows.emplace_back(n, std::string(cell));
  }
  return rows;
}

}  // namespace

double Distribution::mean() const {
  switch (kind) {
    case Kind::fixed: return a;
    case Kind::exponential: return a;
    case Kind::lognormal: return a;
    case Kind::triangular: return (a + b + c) / 3;
    case Kind::empirical: {
      double s = 0;
      for (double x : samples) s += x;
      return samples.empty() ? 0.0 : s / static_cast<double>(samples.size());
    }
  }
  return 0;
}

std::string Distribution::to_string() const {
  switch (kind) {
    case Kind::fixed: return fmt::format("fixed:{}", a);
    case Kind::exponential: return fmt::format("exp:{}", a);
    case Kind::lognormal: return fmt::format("lognormal:{},{}", a, b);
    case Kind::triangular: return fmt::format("triangular:{},{},{}", a, b, c);
    case Kind::empirical: return fmt::format("empirical:{}", source);
  }
  return "";
}

Result<std::vector<double>> read_durations_csv(const std::string& path) {
  auto rows = first_column(path);
  if (!rows) return rows.status();
  std::vector<double> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto& [line, cell] = (*rows)[i];
    auto v = number(cell);
    if (!v) {
      if (i == 0) continue;  // a header
      return Status::invalid(fmt::format("{}:{}: `{}` is not a number of working days", path, line, cell));
    }
    if (*v < 0 || *v > kMaxDays)
      return Status::invalid(fmt::format("{}:{}: {} working days is out of range (0 to {})", path, line, *v, kMaxDays));
    out.push_back(*v);
  }
  if (out.empty()) return Status::invalid(fmt::format("{}: no durations in the file", path));
  return out;
}

Result<std::vector<TraceArrival>> read_arrival_trace(const std::string& path) {
  auto rows = first_column(path);
  if (!rows) return rows.status();
  std::vector<TraceArrival> out;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto& [line, cell] = (*rows)[i];
    TraceArrival a;
    if (auto v = number(cell)) {
      if (*v < 0 || *v > kMaxDays)
        return Status::invalid(fmt::format("{}:{}: {} working days after the start is out of range", path, line, *v));
      a.offset_days = *v;
    } else if (auto at = Instant::parse(cell)) {
      a.at = *at;
    } else {
      if (i == 0) continue;  // a header
      return Status::invalid(fmt::format(
          "{}:{}: `{}` is neither an instant (2025-03-03T09:15) nor working days after the start", path, line, cell));
    }
    out.push_back(a);
  }
  if (out.empty()) return Status::invalid(fmt::format("{}: no arrivals in the file", path));
  const bool absolute = out.front().at.has_value();
  for (const auto& a : out)
    if (a.at.has_value() != absolute)
      return Status::invalid(fmt::format("{}: mixes instants and day offsets; use one kind", path));
  std::stable_sort(out.begin(), out.end(), [](const TraceArrival& x, const TraceArrival& y) {
    return x.at ? *x.at < *y.at : x.offset_days < y.offset_days;
  });
  return out;
}

Result<Distribution> parse_distribution(std::string_view text, const std::string& base_dir) {
  const std::string t(trim(text));
  const auto colon = t.find(':');
  const std::string kind = t.substr(0, colon);
  const std::string args = colon == std::string::npos ? "" : t.substr(colon + 1);
  constexpr std::string_view kForms = "fixed:D, exp:MEAN, lognormal:MEAN,SD, triangular:MIN,MODE,MAX or empirical:FILE.csv";
  if (colon == std::string::npos || args.empty())
    return Status::invalid(fmt::format("`{}` is not a distribution: expected {}", t, kForms));
  if (kind == "empirical") {
    std::filesystem::path p(args);
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    auto v = read_durations_csv(p.string());
    if (!v) return v.status();
    Distribution d{Distribution::Kind::empirical, 0, 0, 0, std::move(*v), args};
    return d;
  }
  std::vector<double> xs;
  for (auto part : split(args, ',')) {
    auto v = number(part);
    if (!v) return Status::invalid(fmt::format("`{}`: `{}` is not a number", t, trim(part)));
    if (*v < 0 || *v > kMaxDays)
      return Status::invalid(fmt::format("`{}`: {} is out of range (0 to {} working days)", t, *v, kMaxDays));
    xs.push_back(*v);
  }
  auto arity = [&](std::size_t n, std::string_view form) -> Status {
    if (xs.size() != n) return Status::invalid(fmt::format("`{}`: expected {}", t, form));
    return Status::ok();
  };
  if (kind == "fixed") {
    if (Status s = arity(1, "fixed:D"); !s) return s;
    return Distribution::fixed(xs[0]);
  }
  if (kind == "exp" || kind == "exponential") {
    if (Status s = arity(1, "exp:MEAN"); !s) return s;
    if (xs[0] <= 0) return Status::invalid(fmt::format("`{}`: the mean must be above 0", t));
    return Distribution::exponential(xs[0]);
  }
  if (kind == "lognormal") {
    if (Status s = arity(2, "lognormal:MEAN,SD"); !s) return s;
    if (xs[0] <= 0) return Status::invalid(fmt::format("`{}`: the mean must be above 0", t));
    return Distribution::lognormal(xs[0], xs[1]);
  }
  if (kind == "triangular") {
    if (Status s = arity(3, "triangular:MIN,MODE,MAX"); !s) return s;
    if (!(xs[0] <= xs[1] && xs[1] <= xs[2]))
      return Status::invalid(fmt::format("`{}`: expected MIN <= MODE <= MAX", t));
    return Distribution::triangular(xs[0], xs[1], xs[2]);
  }
  std::string hint;
  for (std::string_view k : {"fixed", "exp", "lognormal", "triangular", "empirical"})
    if (!kind.empty() && (k.starts_with(kind) || kind.starts_with(k))) hint = fmt::format(" (did you mean `{}`?)", k);
  return Status::invalid(fmt::format("unknown distribution `{}`{}: expected {}", kind, hint, kForms));
}

}  // namespace yilian
