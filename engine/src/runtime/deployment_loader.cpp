// Deployment YAML -> Deployment, every problem located (the shape is read
// with the project's DocReader, like chains and calendars).
#include <fmt/format.h>

#include <filesystem>

#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "yilian/deployment.h"

namespace yilian {
namespace {

namespace fs = std::filesystem;
using detail::child_path;
using detail::DocReader;
using detail::item_path;
using detail::YamlNode;

constexpr std::int64_t kMaxMs = 24LL * 3600 * 1000;

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

std::optional<std::chrono::milliseconds> millis(DocReader& r, const YamlNode& map, const char* key,
                                                const std::string& path, std::int64_t min = 0) {
  if (auto v = r.integer(map.get(key), child_path(path, key), min, kMaxMs)) return std::chrono::milliseconds(*v);
  return std::nullopt;
}

std::optional<RetryPolicy> read_retry(DocReader& r, const YamlNode* n, const std::string& path, RetryPolicy p) {
  if (!n) return std::nullopt;
  if (!r.check_map(*n, path, {"attempts", "first_delay_ms", "multiplier", "max_delay_ms", "jitter"}, {}, "a retry policy"))
    return std::nullopt;
  if (auto v = r.integer(n->get("attempts"), child_path(path, "attempts"), 1, 100)) p.attempts = static_cast<int>(*v);
  if (auto v = millis(r, *n, "first_delay_ms", path)) p.first_delay = *v;
  if (auto v = millis(r, *n, "max_delay_ms", path)) p.max_delay = *v;
  if (auto v = r.number(n->get("multiplier"), child_path(path, "multiplier"))) {
    if (*v < 1 || *v > 10) r.error(*n->get("multiplier"), child_path(path, "multiplier"), "range", "expected 1 to 10");
    else p.multiplier = *v;
  }
  if (auto v = r.number(n->get("jitter"), child_path(path, "jitter"))) {
    if (*v < 0 || *v > 1) r.error(*n->get("jitter"), child_path(path, "jitter"), "range", "expected 0 to 1 (a share)");
    else p.jitter = *v;
  }
  return p;
}

std::optional<DeliveryMethod> read_delivery(DocReader& r, const YamlNode* n, const std::string& path) {
  auto s = r.text(n, path);
  if (!s) return std::nullopt;
  for (auto m : {DeliveryMethod::in_person, DeliveryMethod::express, DeliveryMethod::electronic})
    if (to_string(m) == *s) return m;
  r.error(*n, path, "enum", fmt::format("`{}` is not a delivery method", *s),
          "expected in-person, express or electronic");
  return std::nullopt;
}

void read_engine(DocReader& r, const YamlNode& n, EngineOptions& o) {
  const std::string path = "engine";
  if (!r.check_map(n, path,
                   {"threads", "durability", "adapter_timeout_ms", "retry", "auto_deliver", "group_commit_window_us",
                    "group_commit_max", "state_cache", "inbox_poll_ms", "calendars"},
                   {}, "the engine settings"))
    return;
  if (auto v = r.integer(n.get("threads"), "engine.threads", 1, 256)) o.threads = static_cast<int>(*v);
  if (const YamlNode* d = n.get("durability")) {
    if (auto s = r.text(d, "engine.durability")) {
      if (*s == "process-crash") o.durability = Durability::process_crash;
      else if (*s == "power-loss") o.durability = Durability::power_loss;
      else
        r.error(*d, "engine.durability", "enum", fmt::format("`{}` is not a durability", *s),
                "expected process-crash (synchronous=NORMAL) or power-loss (synchronous=FULL)");
    }
  }
  if (auto v = millis(r, n, "adapter_timeout_ms", path)) o.adapter_timeout = *v;
  if (auto p = read_retry(r, n.get("retry"), "engine.retry", o.retry)) o.retry = *p;
  if (n.get("auto_deliver"))
    if (auto m = read_delivery(r, n.get("auto_deliver"), "engine.auto_deliver")) o.auto_deliver = *m;
  if (auto v = r.integer(n.get("group_commit_window_us"), "engine.group_commit_window_us", 0, 1'000'000))
    o.group_commit_window = std::chrono::microseconds(*v);
  if (auto v = r.integer(n.get("group_commit_max"), "engine.group_commit_max", 1, 1'000'000))
    o.group_commit_max = static_cast<std::size_t>(*v);
  if (auto v = r.integer(n.get("state_cache"), "engine.state_cache", 0, 100'000'000))
    o.state_cache = static_cast<std::size_t>(*v);
  if (auto v = millis(r, n, "inbox_poll_ms", path, 1)) o.inbox_poll = *v;
}

void read_binding(DocReader& r, const YamlNode& n, const std::string& path, const std::string& base_dir,
                  const EngineOptions& engine, AdapterConfig& c) {
  if (!r.check_map(n, path,
                   {"adapter", "command", "url", "headers", "timeout_ms", "connect_timeout_ms", "io_timeout_ms",
                    "concurrency", "retry"},
                   {"adapter"}, "an adapter binding"))
    return;
  c.where = r.at(n);
  if (const YamlNode* a = n.get("adapter")) {
    if (auto s = r.text(a, child_path(path, "adapter"))) {
      if (*s == "manual") c.kind = AdapterConfig::Kind::manual;
      else if (*s == "command") c.kind = AdapterConfig::Kind::command;
      else if (*s == "http") c.kind = AdapterConfig::Kind::http;
      else
        r.error(*a, child_path(path, "adapter"), "enum", fmt::format("`{}` is not an adapter", *s),
                detail::did_you_mean(*s, {"manual", "command", "http"}).empty()
                    ? "expected manual, command or http"
                    : detail::did_you_mean(*s, {"manual", "command", "http"}));
    }
  }
  auto only_for = [&](const char* key, AdapterConfig::Kind kind) {
    if (const YamlNode* k = n.get(key); k && c.kind != kind)
      r.error(*k, child_path(path, key), "misplaced-key",
              fmt::format("`{}` is a setting of {} adapters, not of {}", key, to_string(kind), to_string(c.kind)));
  };
  only_for("command", AdapterConfig::Kind::command);
  only_for("url", AdapterConfig::Kind::http);
  only_for("headers", AdapterConfig::Kind::http);
  only_for("connect_timeout_ms", AdapterConfig::Kind::http);
  only_for("io_timeout_ms", AdapterConfig::Kind::http);
  if (c.kind == AdapterConfig::Kind::command) {
    const YamlNode* cmd = n.get("command");
    if (!cmd) {
      r.error(n, path, "missing-key", "a command adapter needs `command`: the program and its arguments, as a list");
    } else if (r.check_list(*cmd, child_path(path, "command"), "the program and its arguments")) {
      if (cmd->items().empty()) r.error(*cmd, child_path(path, "command"), "empty", "the list names no program");
      for (std::size_t i = 0; i < cmd->items().size(); ++i)
        if (auto s = r.text(cmd->items()[i], item_path(child_path(path, "command"), i)))
          c.command.push_back(i == 0 && s->find('/') != std::string::npos ? resolve(base_dir, *s) : *s);
    }
  }
  if (c.kind == AdapterConfig::Kind::http) {
    if (!n.get("url")) r.error(n, path, "missing-key", "an http adapter needs `url`, e.g. http://10.0.0.7:8080/tasks");
    else if (auto u = r.text(n.get("url"), child_path(path, "url"))) {
      if (u->rfind("http://", 0) != 0)
        r.error(*n.get("url"), child_path(path, "url"), "url", fmt::format("`{}` is not an http:// address", *u),
                "https is not supported: put a TLS proxy in front of the engine");
      else
        c.url = *u;
    }
    if (const YamlNode* h = n.get("headers"); h && r.check_id_map(*h, child_path(path, "headers"), "headers"))
      for (const auto& [k, v] : h->entries())
        if (auto s = r.text(v, child_path(child_path(path, "headers"), k->text()), true)) c.headers[std::string(k->text())] = *s;
    if (auto v = millis(r, n, "connect_timeout_ms", path, 1)) c.connect_timeout = *v;
    if (auto v = millis(r, n, "io_timeout_ms", path, 1)) c.io_timeout = *v;
  }
  if (auto v = millis(r, n, "timeout_ms", path)) c.options.timeout = *v;
  if (auto v = r.integer(n.get("concurrency"), child_path(path, "concurrency"), 1, 1024)) c.concurrency = static_cast<int>(*v);
  if (auto p = read_retry(r, n.get("retry"), child_path(path, "retry"), engine.retry)) c.options.retry = *p;
}

Loaded<Deployment> read(const YamlNode& root, const std::string& file, const std::string& base_dir) {
  Loaded<Deployment> out;
  DocReader r(file, out.diagnostics);
  Deployment d;
  d.source = file;
  if (!r.check_map(root, "", {"chains", "engine", "departments"}, {"departments"}, "a deployment")) return out;
  if (const YamlNode* chains = root.get("chains"); chains && r.check_list(*chains, "chains", "a list of chain files"))
    for (std::size_t i = 0; i < chains->items().size(); ++i)
      if (auto s = r.text(chains->items()[i], item_path("chains", i))) {
        const std::string p = resolve(base_dir, *s);
        std::error_code ec;
        if (!fs::is_regular_file(p, ec))
          r.error(*chains->items()[i], item_path("chains", i), "not-found", fmt::format("no chain file at {}", p));
        else
          d.chains.push_back(p);
      }
  if (const YamlNode* e = root.get("engine")) {
    read_engine(r, *e, d.engine);
    if (const YamlNode* cals = e->is_map() ? e->get("calendars") : nullptr;
        cals && r.check_list(*cals, "engine.calendars", "a list of folders"))
      for (std::size_t i = 0; i < cals->items().size(); ++i)
        if (auto s = r.text(cals->items()[i], item_path("engine.calendars", i)))
          d.engine.calendar_dirs.push_back(resolve(base_dir, *s));
  }
  if (const YamlNode* deps = root.get("departments"); deps && r.check_id_map(*deps, "departments", "the departments")) {
    if (deps->entries().empty()) r.error(*deps, "departments", "empty", "bind at least one department (or \"*\")");
    for (const auto& [k, v] : deps->entries()) {
      const std::string path = child_path("departments", k->text());
      if (k->text() != "*" && !detail::is_identifier(k->text())) {
        r.error(*k, path, "identifier",
                fmt::format("`{}` is not a department id: expected lower-case a-z, 0-9 and -, or \"*\" for every "
                            "department not listed",
                            k->text()));
        continue;
      }
      AdapterConfig c;
      read_binding(r, *v, path, base_dir, d.engine, c);
      d.departments[std::string(k->text())] = std::move(c);
    }
  }
  if (out.diagnostics.has_errors()) return std::move(out.diagnostics);
  return {std::move(d), std::move(out.diagnostics)};
}

/// The parser's diagnostics followed by the reader's, with what it read.
Loaded<Deployment> with(Diagnostics parsed, Loaded<Deployment> read) {
  parsed.append(read.diagnostics);
  if (!read.has_value()) return parsed;
  return {std::move(read).value(), std::move(parsed)};
}

}  // namespace

Loaded<Deployment> parse_deployment_text(std::string_view yaml, const std::string& file_name,
                                         const std::string& base_dir, const LoadOptions& limits) {
  Diagnostics diags;
  auto root = detail::parse_yaml(yaml, file_name, detail::limits_of(limits), diags);
  if (!root) return diags;
  return with(std::move(diags), read(*root, file_name, base_dir));
}

Loaded<Deployment> load_deployment(const std::string& path, const LoadOptions& limits) {
  Diagnostics diags;
  auto root = detail::parse_yaml_file(path, detail::limits_of(limits), diags);
  if (!root) return diags;
  const fs::path dir = fs::path(path).parent_path();
  return with(std::move(diags), read(*root, path, dir.empty() ? "." : dir.string()));
}

}  // namespace yilian
