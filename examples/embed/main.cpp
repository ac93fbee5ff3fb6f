// Embedding yilian: load a chain, validate it and print its plan.
//
//   embed chains/kindergarten-setup.yaml
#include <yilian/analysis.h>
#include <yilian/load.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed CHAIN.yaml\n");
    return 2;
  }
  yilian::LoadResult loaded = yilian::load_chain(argv[1]);
  for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
  if (!loaded.chain) return 1;

  const yilian::Analysis plan = yilian::analyse(*loaded.chain);
  std::printf("%s: %zu matters in %zu stages\n", loaded.chain->name.c_str(), plan.applicable.size(), plan.stages.size());
  std::printf("critical path: %d promised working days (serial %d, compression %.0f%%)\n",
              plan.critical_path.promised_days, plan.serial_promised_days, 100 * plan.compression);
  return 0;
}
