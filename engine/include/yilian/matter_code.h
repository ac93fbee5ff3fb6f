// Codes of government service matters (政务服务事项编码, GB/T 39554.1-2020)
// and 三级四同: one 基本编码 means one name, kind and legal basis at every
// level of government. docs/chain-reference.md ("Matter codes") states the
// shapes checked here and their sources. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "yilian/chain.h"
#include "yilian/status.h"

namespace yilian {

/// A matter's `code` taken apart.
struct MatterCode {
  enum class Shape {
    basic,           ///< 基本编码: 12 digits (the matter in the 基本目录)
    implementation,  ///< 实施编码: the 实施主体's 18-character unified social credit code,
                     ///< one digit, and the 12-digit 基本编码 (31 characters)
    handling,        ///< 业务办理项编码: an 实施编码 and 2 digits (33 characters)
    unknown,         ///< none of these: `problem` says why
  };
  Shape shape = Shape::unknown;
  std::string basic;    ///< the 基本编码 inside; for Shape::unknown the code as written
  std::string subject;  ///< the 实施主体's credit code (implementation, handling), else ""
  std::string problem;  ///< Shape::unknown: what is wrong, in one English sentence
};

/// Reads a code. A 31- or 33-character code whose first 18 characters are
/// not a unified social credit code with the right check character (GB
/// 32100) is `unknown`, with the problem named.
[[nodiscard]] MatterCode parse_matter_code(std::string_view code);

/// "基本编码", "实施编码", "业务办理项编码", or "编码" for an unknown shape.
[[nodiscard]] std::string_view zh_code_shape(MatterCode::Shape shape);

/// 三级四同 over several chains: every 基本编码 (a code's own, or the one
/// inside an 实施编码) must mean the same matter name, kind and legal basis
/// (compared without spaces, and with full- and half-width punctuation
/// alike; an empty basis is not compared) wherever it appears. Returns an
/// error `code-conflict` at each later use whose name, kind or basis differs
/// from the first use of the code, in the order given (chains, then
/// matters), naming both places (file:line:column). validate() applies it
/// to one chain; `yilian validate` to every chain it loads.
[[nodiscard]] Diagnostics check_codes(const std::vector<const Chain*>& chains);

}  // namespace yilian
