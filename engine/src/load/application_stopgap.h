// TODO(form): a stopgap reader for application files ({chain, fields,
// materials}) until the form branch's yilian/application.h lands on main;
// then `yilian case submit` switches to load_application() and this file
// goes. It reads the shape only (values are checked by the flow's 一次告知).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian::detail {

struct ApplicationFile {
  std::string chain;
  std::optional<int> version;
  FieldValues fields;
  std::vector<std::string> materials;
};

/// Reads an application file (YAML or JSON); every problem located in `diags`.
std::optional<ApplicationFile> read_application_file(const std::string& path, Diagnostics& diags);

}  // namespace yilian::detail
