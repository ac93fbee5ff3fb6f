// Calendar YAML -> CalendarData -> Calendar, with every error located.
// The document shape is read with the project's DocReader; the rules of a
// calendar (weekday consistency, one status per date, amendments that
// change something, bases without cycles) are checked here.
#include "yilian/calendar_load.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "calendar/builtin_calendars.h"
#include "load/doc_reader.h"
#include "load/yaml_tree.h"

namespace yilian {
namespace {

namespace fs = std::filesystem;
using detail::DocReader;
using detail::YamlNode;

constexpr int kMaxRangeDays = 31;

struct Listed {
  bool working = false;
  int line = 0;
};

std::optional<std::string_view> builtin_text(std::string_view name) {
  for (const detail::BuiltinCalendar& b : detail::builtin_calendars())
    if (b.name == name) return b.text;
  return std::nullopt;
}

// How a built-in calendar is named in messages.
std::string builtin_file_name(std::string_view name) { return fmt::format("<built-in>/{}.yaml", name); }

void add_once(std::vector<std::string>& dirs, std::string dir) {
  if (dir.empty()) return;
  if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
}

/// Reads one calendar document and, recursively, its base.
class Loader {
 public:
  Loader(const std::vector<std::string>& dirs, Diagnostics& diags) : dirs_(dirs), diags_(diags) {}

  std::optional<CalendarData> load_file(const std::string& path, const std::string& expected_name) {
    auto root = detail::parse_yaml_file(path, detail::YamlLimits{}, diags_);
    if (!root) return std::nullopt;
    const fs::path dir = fs::path(path).parent_path();
    return load_tree(*root, path, expected_name, dir.empty() ? "." : dir.string());
  }

  std::optional<CalendarData> load_text(std::string_view yaml, const std::string& file_name,
                                        const std::string& expected_name) {
    auto root = detail::parse_yaml(yaml, file_name, detail::YamlLimits{}, diags_);
    if (!root) return std::nullopt;
    return load_tree(*root, file_name, expected_name, "");
  }

  std::optional<CalendarData> load_tree(const YamlNode& root, const std::string& file,
                                        const std::string& expected_name, const std::string& own_dir) {
    DocReader r(file, diags_);
    const std::size_t errors_before = diags_.error_count();
    if (!r.check_map(root, "", {"name", "title", "description", "extends", "beyond_data", "years", "amendments"}, {"name"},
                     "a calendar"))
      return std::nullopt;
    CalendarData data;
    if (auto name = r.identifier(root.get("name"), "name", false)) {
      data.name = *name;
      if (!expected_name.empty() && *name != expected_name)
        r.error(*root.get("name"), "name", "name-mismatch",
                fmt::format("the file was looked up as calendar `{}` but is named `{}`", expected_name, *name),
                fmt::format("rename the file to {}.yaml or the calendar to `{}`", *name, expected_name));
    }
    if (auto t = r.text(root.get("title"), "title")) data.title = *t;
    (void)r.text(root.get("description"), "description");

    // The base first: its rules come before ours.
    bool base_ok = true;
    if (const YamlNode* ext = root.get("extends")) {
      base_ok = false;
      if (auto base_name = r.identifier(ext, "extends", false)) {
        if (auto base = load_base(r, *ext, *base_name, data.name, own_dir)) {
          data.bases.push_back(base->name);
          data.bases.insert(data.bases.end(), base->bases.begin(), base->bases.end());
          data.years = base->years;
          data.rules = std::move(base->rules);
          data.beyond_data = base->beyond_data;
          base_ok = true;
        }
      }
    }
    if (const YamlNode* bd = root.get("beyond_data")) {
      if (auto v = r.text(bd, "beyond_data")) {
        if (*v == "weekends") data.beyond_data = BeyondData::weekends;
        else if (*v == "cn-statutory") data.beyond_data = BeyondData::cn_statutory;
        else
          r.error(*bd, "beyond_data", "beyond-data",
                  fmt::format("`{}` is not a rule for years without a notice", *v),
                  detail::did_you_mean(*v, {"weekends", "cn-statutory"}).empty()
                      ? std::string("expected `weekends` or `cn-statutory`")
                      : detail::did_you_mean(*v, {"weekends", "cn-statutory"}));
      }
    }
    state_.clear();
    for (const DayRule& rule : data.rules) state_[rule.date.days()] = rule.working;
    const std::set<int> base_years(data.years.begin(), data.years.end());

    if (const YamlNode* years = root.get("years"); years && r.check_id_map(*years, "years", "the years")) {
      std::map<std::int32_t, Listed> listed;
      for (const auto& [key, value] : years->entries()) {
        const std::string path = detail::child_path("years", key->text());
        auto year = key->as_int();
        if (!year || *year < 1 || *year > 9999) {
          r.error(*key, path, "year", fmt::format("expected a year such as 2025, got {}", key->describe()));
          continue;
        }
        if (base_ok && base_years.count(static_cast<int>(*year))) {
          r.error(*key, path, "year-in-base",
                  fmt::format("{} is already given by the base calendar `{}`", *year, data.bases.front()),
                  "change single days of a base year under `amendments`");
          continue;
        }
        read_year(r, *value, path, static_cast<int>(*year), listed, data);
        data.years.push_back(static_cast<int>(*year));
      }
    }
    if (const YamlNode* am = root.get("amendments"); am && r.check_list(*am, "amendments", "amendments")) {
      for (std::size_t i = 0; i < am->items().size(); ++i)
        read_amendment(r, *am->items()[i], detail::item_path("amendments", i), base_ok, data);
    }
    if (diags_.error_count() > errors_before) return std::nullopt;
    return data;
  }

 private:
  std::optional<CalendarData> load_base(DocReader& r, const YamlNode& at, const std::string& base_name,
                                        const std::string& own_name, const std::string& own_dir) {
    stack_.push_back(own_name);
    struct Pop {
      std::vector<std::string>& s;
      ~Pop() { s.pop_back(); }
    } pop{stack_};
    if (auto it = std::find(stack_.begin(), stack_.end(), base_name); it != stack_.end()) {
      std::string cycle;
      for (; it != stack_.end(); ++it) cycle += fmt::format("`{}` extends ", *it);
      r.error(at, "extends", "extends-cycle", fmt::format("calendars extend each other in a cycle: {}`{}`", cycle, base_name),
              "one of them must not extend the other");
      return std::nullopt;
    }
    std::vector<std::string> search;
    if (!own_dir.empty()) search.push_back(own_dir);
    for (const std::string& d : dirs_)
      if (std::find(search.begin(), search.end(), d) == search.end()) search.push_back(d);
    auto path = find_calendar_file(base_name, search);
    std::optional<CalendarData> base;
    if (path) {
      base = load_file(*path, base_name);
    } else if (auto text = builtin_text(base_name)) {
      path = builtin_file_name(base_name);
      base = load_text(*text, *path, base_name);
    } else {
      r.error(at, "extends", "unknown-calendar", fmt::format("no calendar `{}` to extend", base_name),
              calendar_not_found_hint(base_name, search));
      return std::nullopt;
    }
    if (!base)
      r.error(at, "extends", "base-invalid", fmt::format("the base calendar `{}` ({}) has errors", base_name, *path));
    return base;
  }

  bool working_now(Date d) const {
    auto it = state_.find(d.days());
    return it != state_.end() ? it->second : !d.is_weekend();
  }

  // A list of dates and `A..B` ranges; each day with its item node.
  std::vector<std::pair<Date, const YamlNode*>> read_dates(DocReader& r, const YamlNode* list, const std::string& path) {
    std::vector<std::pair<Date, const YamlNode*>> out;
    if (!list || !r.check_list(*list, path, "a list of dates")) return out;
    for (std::size_t i = 0; i < list->items().size(); ++i) {
      const YamlNode& item = *list->items()[i];
      const std::string ipath = detail::item_path(path, i);
      auto text = r.text(&item, ipath);
      if (!text) continue;
      const auto dots = text->find("..");
      const auto first = Date::parse(text->substr(0, dots));
      const auto last = dots == std::string::npos ? first : Date::parse(text->substr(dots + 2));
      if (!first || !last) {
        r.error(item, ipath, "date", fmt::format("`{}` is not a date or a range of dates", *text),
                "write YYYY-MM-DD, or YYYY-MM-DD..YYYY-MM-DD for consecutive days");
        continue;
      }
      if (*last < *first) {
        r.error(item, ipath, "range-reversed", fmt::format("the range `{}` ends before it starts", *text));
        continue;
      }
      if (*last - *first >= kMaxRangeDays) {
        r.error(item, ipath, "range-too-long",
                fmt::format("the range `{}` spans {} days; at most {}", *text, *last - *first + 1, kMaxRangeDays));
        continue;
      }
      for (int k = 0, n = *last - *first; k <= n; ++k) out.emplace_back(*first + k, &item);
    }
    return out;
  }

  void read_year(DocReader& r, const YamlNode& node, const std::string& path, int year,
                 std::map<std::int32_t, Listed>& listed, CalendarData& data) {
    if (!r.check_map(node, path, {"notice", "holidays", "note"}, {"notice", "holidays"}, "a year"))
      return;
    const std::string notice = r.text(node.get("notice"), detail::child_path(path, "notice")).value_or("");
    (void)r.text(node.get("note"), detail::child_path(path, "note"));
    const YamlNode* hs = node.get("holidays");
    const std::string hpath = detail::child_path(path, "holidays");
    if (!hs || !r.check_list(*hs, hpath, "a list of holidays")) return;
    for (std::size_t i = 0; i < hs->items().size(); ++i) {
      const YamlNode& h = *hs->items()[i];
      const std::string p = detail::item_path(hpath, i);
      if (!r.check_map(h, p, {"name", "off", "work", "notice", "note"}, {"name"}, "a holiday")) continue;
      const std::string name = r.text(h.get("name"), detail::child_path(p, "name")).value_or("");
      const std::string own = r.text(h.get("notice"), detail::child_path(p, "notice")).value_or(notice);
      (void)r.text(h.get("note"), detail::child_path(p, "note"));
      for (const bool working : {false, true}) {
        const std::string key = working ? "work" : "off";
        const std::string kpath = detail::child_path(p, key);
        for (const auto& [d, item] : read_dates(r, h.get(key), kpath)) {
          if (d.year() != year) {
            r.error(*item, kpath, "wrong-year", fmt::format("{} is listed under {}", d.to_string(), year),
                    fmt::format("move it under {}", d.year()));
            continue;
          }
          auto [it, fresh] = listed.emplace(d.days(), Listed{working, item->line});
          if (!fresh) {
            if (it->second.working == working)
              r.error(*item, kpath, "duplicate-date",
                      fmt::format("{} is listed twice (also at line {})", d.to_string(), it->second.line));
            else
              r.error(*item, kpath, "off-and-work",
                      fmt::format("{} is listed both as a rest day and as a working day (also at line {})",
                                  d.to_string(), it->second.line));
            continue;
          }
          if (working == !d.is_weekend()) {
            r.error(*item, kpath, working ? "work-weekday" : "off-weekend",
                    working ? fmt::format("{} is a {}, already a working day; `work` lists weekend days only",
                                          d.to_string(), to_string(d.weekday()))
                            : fmt::format("{} is a {}, already a rest day; `off` lists weekdays only",
                                          d.to_string(), to_string(d.weekday())));
            continue;
          }
          data.rules.push_back(DayRule{d, working, name, own, r.at(*item)});
          state_[d.days()] = working;
        }
      }
    }
  }

  void read_amendment(DocReader& r, const YamlNode& node, const std::string& path, bool check_effect,
                      CalendarData& data) {
    if (!r.check_map(node, path, {"notice", "name", "issued", "off", "work", "note"}, {"notice", "name"},
                     "an amendment"))
      return;
    const std::string notice = r.text(node.get("notice"), detail::child_path(path, "notice")).value_or("");
    const std::string name = r.text(node.get("name"), detail::child_path(path, "name")).value_or("");
    (void)r.text(node.get("note"), detail::child_path(path, "note"));
    if (const YamlNode* issued = node.get("issued")) {
      auto t = r.text(issued, detail::child_path(path, "issued"));
      if (t && !Date::parse(*t))
        r.error(*issued, detail::child_path(path, "issued"), "date", fmt::format("`{}` is not a date", *t),
                "write YYYY-MM-DD");
    }
    if (!node.get("off") && !node.get("work"))
      r.error(node, path, "missing-key", "an amendment needs `off` or `work` (the days it changes)");
    std::map<std::int32_t, Listed> listed;
    for (const bool working : {false, true}) {
      const std::string kpath = detail::child_path(path, working ? "work" : "off");
      for (const auto& [d, item] : read_dates(r, node.get(working ? "work" : "off"), kpath)) {
        auto [it, fresh] = listed.emplace(d.days(), Listed{working, item->line});
        if (!fresh) {
          r.error(*item, kpath, it->second.working == working ? "duplicate-date" : "off-and-work",
                  fmt::format("{} is listed twice in this amendment (also at line {})", d.to_string(),
                              it->second.line));
          continue;
        }
        if (check_effect && working_now(d) == working) {
          r.error(*item, kpath, "no-effect",
                  fmt::format("{} ({}) is already a {} day; the amendment changes nothing", d.to_string(),
                              to_string(d.weekday()), working ? "working" : "rest"),
                  working ? "`work` in an amendment turns a rest day into a working day"
                          : "`off` in an amendment turns a working day into a rest day");
          continue;
        }
        data.rules.push_back(DayRule{d, working, name, notice, r.at(*item)});
        state_[d.days()] = working;
      }
    }
  }

  const std::vector<std::string>& dirs_;
  Diagnostics& diags_;
  std::vector<std::string> stack_;           // calendars being loaded, outermost first
  std::map<std::int32_t, bool> state_;       // effective status of ruled dates so far
};

Loaded<Calendar> finish(std::optional<CalendarData> data, Diagnostics diags) {
  diags.sort();
  if (!data || diags.has_errors()) return diags;
  return {Calendar(*data), std::move(diags)};
}

}  // namespace

std::optional<std::string> find_calendar_file(std::string_view name, const std::vector<std::string>& dirs) {
  if (!detail::is_identifier(name)) return std::nullopt;
  for (const std::string& dir : dirs) {
    for (const char* ext : {".yaml", ".yml"}) {
      fs::path p = fs::path(dir) / (std::string(name) + ext);
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  }
  return std::nullopt;
}

std::vector<std::string> calendar_search_dirs(const std::vector<std::string>& dirs,
                                              const std::vector<std::string>& chain_files) {
  std::vector<std::string> out;
  for (const std::string& d : dirs) add_once(out, d);
  if (const char* env = std::getenv("YILIAN_CALENDARS"); env && *env) {
    std::stringstream ss(env);
    for (std::string part; std::getline(ss, part, ':');) add_once(out, part);
  }
  add_once(out, "chains/calendars");
  for (const std::string& f : chain_files)
    if (!f.empty()) add_once(out, calendars_beside(f));
  for (std::string& d : installed_calendar_dirs()) add_once(out, std::move(d));
  return out;
}

std::vector<std::string> installed_share_dirs() {
  std::vector<std::string> out;
#ifdef __linux__
  // The installation the running program belongs to: <prefix>/bin/yilian
  // has its data in <prefix>/share/yilian.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.has_parent_path())
    add_once(out, (exe.parent_path().parent_path() / "share" / "yilian").lexically_normal().string());
#endif
#ifdef YILIAN_INSTALL_DATA_DIR
  add_once(out, YILIAN_INSTALL_DATA_DIR);
#endif
  return out;
}

std::vector<std::string> installed_calendar_dirs() {
  std::vector<std::string> out;
  for (const std::string& d : installed_share_dirs()) add_once(out, (fs::path(d) / "chains" / "calendars").string());
  return out;
}

std::vector<std::string> builtin_calendar_names() {
  std::vector<std::string> out;
  for (const detail::BuiltinCalendar& b : detail::builtin_calendars()) out.emplace_back(b.name);
  std::sort(out.begin(), out.end());
  return out;
}

std::string calendar_not_found_hint(std::string_view name, const std::vector<std::string>& dirs) {
  std::string hint;
  if (std::string dym = detail::did_you_mean(name, calendar_names(dirs)); !dym.empty()) hint = dym + "; ";
  hint += dirs.empty() ? fmt::format("no folder was searched for {}.yaml", name)
                       : fmt::format("looked for {}.yaml in {}", name, fmt::join(dirs, ", "));
  hint += fmt::format(
      "; to use it, put {0}.yaml in a calendars/ folder beside the chain file, or name its folder with "
      "--calendars DIR or $YILIAN_CALENDARS (folders separated by ':'; in a program: "
      "EngineOptions::calendar_dirs, in a deployment: engine.calendars)",
      name);
  return hint;
}

std::vector<std::string> calendar_names(const std::vector<std::string>& dirs) {
  std::set<std::string> names;
  for (const detail::BuiltinCalendar& b : detail::builtin_calendars()) names.emplace(b.name);
  for (const std::string& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      if (p.extension() == ".yaml" || p.extension() == ".yml") names.insert(p.stem().string());
    }
  }
  return {names.begin(), names.end()};
}

Loaded<Calendar> load_calendar_file(const std::string& path, const std::vector<std::string>& dirs) {
  Diagnostics diags;
  Loader loader(dirs, diags);
  auto data = loader.load_file(path, "");
  return finish(std::move(data), std::move(diags));
}

std::string calendars_beside(const std::string& chain_file) {
  return (std::filesystem::path(chain_file).parent_path() / "calendars").string();
}

Loaded<Calendar> load_calendar(std::string_view name, const std::vector<std::string>& dirs) {
  Diagnostics diags;
  Loader loader(dirs, diags);
  auto path = find_calendar_file(name, dirs);
  if (!path) {
    if (auto text = builtin_text(name)) {
      auto data = loader.load_text(*text, builtin_file_name(name), std::string(name));
      return finish(std::move(data), std::move(diags));
    }
    diags.add({Severity::error, "unknown-calendar", fmt::format("no calendar named `{}`", name), {}, "",
               calendar_not_found_hint(name, dirs)});
    return finish(std::nullopt, std::move(diags));
  }
  auto data = loader.load_file(*path, std::string(name));
  return finish(std::move(data), std::move(diags));
}

Loaded<Calendar> load_calendar_text(std::string_view yaml, const std::string& file_name,
                                      const std::vector<std::string>& dirs) {
  Diagnostics diags;
  Loader loader(dirs, diags);
  std::optional<CalendarData> data;
  if (auto root = detail::parse_yaml(yaml, file_name, detail::YamlLimits{}, diags))
    data = loader.load_tree(*root, file_name, "", "");
  return finish(std::move(data), std::move(diags));
}

}  // namespace yilian
