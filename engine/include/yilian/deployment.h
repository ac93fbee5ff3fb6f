// Deployment files: which adapter serves which department, which chains a
// live engine loads, and the engine's settings. YAML, described by
// schemas/deployment.schema.json and docs/engine.md:
//
//   chains: [../chains/kindergarten-setup.yaml]
//   engine: { threads: 2, durability: process-crash, auto_deliver: electronic }
//   departments:
//     education: { adapter: manual }
//     health:    { adapter: command, command: [./health-system, --batch], timeout_ms: 5000 }
//     market:    { adapter: http, url: "http://10.0.0.7:8080/tasks", retry: { attempts: 4 } }
//     "*":       { adapter: manual }      # every department not listed
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/engine_options.h"
#include "yilian/load.h"
#include "yilian/status.h"

namespace yilian {

/// One built-in adapter and its settings.
struct AdapterConfig {
  enum class Kind : std::uint8_t {
    manual,   ///< a work queue people complete (yilian task …, or request::Report); no timeout
    command,  ///< runs `command` per task: task JSON on stdin, outcome JSON on stdout
    http,     ///< POSTs the task JSON to `url`; the response body is the outcome JSON
  };
  Kind kind = Kind::manual;
  std::vector<std::string> command;     ///< command: the program and its arguments (no shell)
  std::string url;                      ///< http: http://host[:port]/path (plain HTTP)
  std::map<std::string, std::string> headers;  ///< http: extra request headers
  std::chrono::milliseconds connect_timeout{3'000};  ///< http: connecting (resolve included)
  std::chrono::milliseconds io_timeout{30'000};      ///< http: writing the request and reading the answer
  int concurrency = 4;                  ///< command: programs running at once; http: requests at once
  AdapterOptions options;               ///< the engine's timeout and retry policy for this department
  SourceLocation where;                 ///< where the binding was written
};
[[nodiscard]] std::string_view to_string(AdapterConfig::Kind k);

struct Deployment {
  std::string source;                   ///< the file it was read from
  std::vector<std::string> chains;      ///< chain files, resolved against the file's folder
  EngineOptions engine;                 ///< defaults with the file's `engine:` settings applied
  /// Department id → adapter; "*" binds every department not listed.
  std::map<std::string, AdapterConfig> departments;
};

/// Reads a deployment file: the deployment when there is no error, and
/// every problem, located. Relative paths inside (chains, calendars,
/// command programs that contain a '/') are resolved against the file's
/// folder. Every problem is reported with file:line:column. Thread-safe.
[[nodiscard]] Loaded<Deployment> load_deployment(const std::string& path, const LoadOptions& limits = {});
/// The same for text; relative paths are resolved against `base_dir`.
[[nodiscard]] Loaded<Deployment> parse_deployment_text(std::string_view yaml, const std::string& file_name,
                                                      const std::string& base_dir, const LoadOptions& limits = {});

}  // namespace yilian
