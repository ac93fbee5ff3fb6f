// The service guide as data (internal): what guide_html() and
// guide_markdown() write, worked out once from the chain and its merged form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "yilian/chain.h"
#include "yilian/guide.h"

namespace yilian::detail {

/// A time limit in words, the one place the guide writes limits: "20 个工作日",
/// 0 as "即办（当场办结）".
[[nodiscard]] std::string zh_limit(const Limit& limit);
/// The kind of a matter in Chinese: 行政许可, 行政确认, 备案, 公共服务, 登记, 其他.
[[nodiscard]] std::string_view zh_kind(MatterKind kind);

inline constexpr std::string_view kNotStated = "未载明";

struct GuideMaterial {
  std::string id;
  std::string name;
  std::string source;       ///< 申请人自备, 部门核发, 共享获取
  bool handed_in = true;    ///< false: issued inside the chain or fetched by sharing
  std::string form;         ///< 原件 or 复印件 ("" when not handed in)
  int copies = 0;           ///< 0 when not handed in
  std::string blank_form;   ///< path or ""
  std::string sample;       ///< path or ""
  std::string when;         ///< "当…时提交" or "" (always, with the matter)
  std::vector<std::string> notes;  ///< 可容缺, who issues it, the description, catch_all_reason
};

struct GuidePhase {
  std::string name;
  std::string kind;     ///< in Chinese
  std::string limit;    ///< zh_limit(days)
  bool counted = true;
  /// 计入 or 不计入 with its basis: 行政许可法 Art. 45 for a licensing
  /// matter; other matters' own laws say it (the matter's basis).
  std::string counting;
};

struct GuideMatter {
  std::string id;
  std::string name;
  std::string kind;
  std::string code;         ///< the code, or kNotStated
  std::string code_shape;   ///< 基本编码, 实施编码, … ("" without a code)
  std::string basis;        ///< or kNotStated
  std::string department;
  std::string statutory;    ///< zh_limit
  std::string promised;     ///< zh_limit
  std::string applies;      ///< "当…时办理" or "所有申请均需办理"
  std::vector<std::string> after;    ///< names of the matters done first
  int visits = 0;
  std::string fee;          ///< kNotStated: the chain format has no fee data yet
  std::vector<std::string> results;  ///< names of the documents issued
  std::string description;
  std::vector<GuideMaterial> materials;
  std::vector<GuidePhase> phases;
};

struct Guide {
  std::string id;
  int version = 0;
  std::string name;
  std::string description;
  std::string lead;          ///< the lead department's name
  std::string promised;      ///< zh_limit of the whole chain's promise
  std::string statutory;     ///< "" when the chain states none
  std::vector<std::string> departments;  ///< names
  std::vector<GuideMatter> matters;      ///< chain order (one with options.matter)
  std::string only;          ///< options.matter
  std::size_t total_matters = 0;
};

[[nodiscard]] Guide build_guide(const Chain& chain, const GuideOptions& options);

}  // namespace yilian::detail
