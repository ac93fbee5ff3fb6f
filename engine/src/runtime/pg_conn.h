// What the PostgreSQL store (pg_store.cpp) sends and reads through libpq:
// statement parameters in binary form, a statement's rows in binary form,
// and a URI fit for messages. Inside the runtime only.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "runtime/store.h"

namespace yilian::detail::pg {

constexpr Oid kInt8 = 20;
constexpr Oid kText = 25;
constexpr Oid kBytea = 17;

/// A URI without its password, for messages.
inline std::string redact(std::string_view uri) {
  const auto scheme = uri.find("://");
  const auto at = uri.find('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) return std::string(uri);
  const auto colon = uri.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(uri);
  return fmt::format("{}:***{}", uri.substr(0, colon), uri.substr(at));
}

/// libpq's last error on `c` on one line: its lines (and their tabs)
/// joined by single spaces.
inline std::string error_line(const PGconn* c) {
  std::string out;
  for (const char* p = PQerrorMessage(c); *p; ++p) {
    const bool blank = *p == '\n' || *p == '\t' || *p == ' ' || *p == '\r';
    if (!blank) out += *p;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// Parameters of one statement, all sent in binary: int8 big-endian, text
/// and bytea as their bytes. Text and bytes are not copied: what they view
/// outlives the statement.
class Params {
 public:
  Params& i64(std::int64_t v) {
    std::uint64_t u = static_cast<std::uint64_t>(v);
    std::array<char, 8> b{};
    for (int i = 7; i >= 0; --i, u >>= 8) b[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xff);
    ints_.push_back(b);
    items_.push_back({kInt8, {}, ints_.size() - 1});
    return *this;
  }
  Params& text(std::string_view s) {
    items_.push_back({kText, s, 0});
    return *this;
  }
  Params& bytes(std::string_view s) {
    items_.push_back({kBytea, s, 0});
    return *this;
  }
  Params& bytes(const Hash& h) { return bytes(std::string_view(reinterpret_cast<const char*>(h.data()), h.size())); }

  [[nodiscard]] int size() const { return static_cast<int>(items_.size()); }
  [[nodiscard]] std::vector<Oid> types() const {
    std::vector<Oid> t;
    for (const Item& i : items_) t.push_back(i.type);
    return t;
  }
  /// Values, lengths and formats for PQexecPrepared (valid while *this is).
  void arrays(std::vector<const char*>& values, std::vector<int>& lengths, std::vector<int>& formats) const {
    for (const Item& i : items_) {
      if (i.type == kInt8) {
        values.push_back(ints_[i.slot].data());
        lengths.push_back(8);
      } else {
        values.push_back(i.view.data() ? i.view.data() : "");
        lengths.push_back(static_cast<int>(i.view.size()));
      }
      formats.push_back(1);
    }
  }

 private:
  struct Item {
    Oid type;
    std::string_view view;
    std::size_t slot;
  };
  std::vector<Item> items_;
  std::vector<std::array<char, 8>> ints_;
};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

/// Rows of a statement's binary result.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  [[nodiscard]] int size() const { return PQntuples(r_.get()); }
  [[nodiscard]] bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  [[nodiscard]] std::string str(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
  }
  [[nodiscard]] std::int64_t i64(int row, int col) const {
    const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col));
    const int n = PQgetlength(r_.get(), row, col);
    if (n != 8 && n != 4 && n != 2) return 0;
    std::uint64_t u = (p[0] & 0x80) ? ~std::uint64_t{0} : 0;  // sign-extend
    for (int i = 0; i < n; ++i) u = (u << 8) | p[i];
    return static_cast<std::int64_t>(u);
  }
  [[nodiscard]] Hash hash(int row, int col) const {
    Hash h{};
    if (PQgetlength(r_.get(), row, col) == static_cast<int>(h.size()))
      std::memcpy(h.data(), PQgetvalue(r_.get(), row, col), h.size());
    return h;
  }
  [[nodiscard]] std::int64_t affected() const {
    const char* n = PQcmdTuples(r_.get());
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
  }

 private:
  std::unique_ptr<PGresult, ResultDeleter> r_;
};

}  // namespace yilian::detail::pg
