// The files a chain refers to (the 空表 and 示范样本 of its materials):
// whether they exist beside the chain file (internal; load_chain() calls it,
// load_chain_text() has no folder to look in).
#pragma once

#include <string>

#include "yilian/chain.h"
#include "yilian/status.h"

namespace yilian::detail {

/// Adds a warning `missing-file` at the path's location for every
/// `blank_form` or `sample` that is not a readable regular file, resolved
/// against the folder of `chain_path`.
void check_material_files(const Chain& chain, const std::string& chain_path, Diagnostics& out);

}  // namespace yilian::detail
