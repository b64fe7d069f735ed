// Benchmark of `tilt-values-parity check` against its baseline: parsing every workspace file
// once with yaml-cpp and nothing else. Generates workspaces of N components (the embedded
// workspace's ApplicationSet, workspace.yaml and chart, plus N generated components with their
// shared/dev/staging/prod values), then times both in the same process, best of R runs.
//   values_parity_bench VALUES_DIR N[,N...] [REPEATS]
// Prints one line per size, wall and CPU time (the CPU ratio is steadier on a loaded machine),
// and exits 1 when check's wall time is more than 2x the baseline's.
// Instruction counts, independent of load: both sides are functions of their own, so
//   valgrind --tool=callgrind --callgrind-out-file=cg.out values_parity_bench VALUES_DIR 400 1
//   callgrind_annotate --inclusive=yes cg.out | grep -E 'parse_every_file|check_workspace'
// gives each side's instructions.
#include <yaml-cpp/yaml.h>

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analysis.hpp"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

void generate(const fs::path& values_src, const fs::path& root, int n) {
  fs::create_directories(root);
  for (const char* part : {"workspace.yaml", "argocd", "charts"})
    fs::copy(values_src / part, root / part, fs::copy_options::recursive);
  const char* langs[] = {"go", "node", "python"};
  for (int i = 0; i < n; ++i) {
    std::string c = "svc-" + std::to_string(i);
    std::string lang = langs[i % 3];
    std::ostringstream comp;
    comp << "name: " << c << "\nnamespace: ameide\ntier: " << (i % 3 == 0 ? "core" : "services")
         << "\nchart: values/charts/app\nlanguage: " << lang << "\nsource: services/" << c << "\nimages:\n  - name: " << c
         << "\n    context: services/" << c << "\n    dockerfile: services/" << c << "/Dockerfile\n"
         << "liveUpdate:\n  sync:\n    - local: services/" << c << "\n      remote: /app\n  run:\n    - cmd: make\n"
         << "      trigger: [services/" << c << "/Makefile]\n"
         << "dependsOn: [" << (i ? "svc-" + std::to_string(i - 1) : "") << "]\nlabels: [apps]\n";
    write(root / "components" / c / "component.yaml", comp.str());
    write(root / "_shared/apps" / ("apps-" + c + ".yaml"),
          "image:\n  repository: k3d-ameide.localhost:5001/ameide/" + c +
              "\n  tag: dev\n  pullPolicy: IfNotPresent\nimagePullSecrets: []\ncontainerPort: 8080\nservice:\n  port: 80\n"
              "config:\n  SERVICE_NAME: apps-" + c + "\n  LOG_FORMAT: json\nresources:\n  requests:\n    cpu: 50m\n    memory: 64Mi\n");
    write(root / "dev/apps" / ("apps-" + c + ".yaml"), "# Intentionally empty.\n{}\n");
    for (const char* env : {"staging", "prod"})
      write(root / env / "apps" / ("apps-" + c + ".yaml"),
            "image:\n  repository: ghcr.io/ameideio/" + c + "\n  tag: \"1.4.0\"\nimagePullSecrets:\n  - name: ghcr-pull\nreplicaCount: 2\n");
  }
}

// Every YAML file `check` reads: all of them except the chart.
std::vector<fs::path> workspace_files(const fs::path& root) {
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == "charts") it.disable_recursion_pending();
    else if (it->is_regular_file() && it->path().extension() == ".yaml") files.push_back(it->path());
  }
  return files;
}

// The baseline: every file parsed once with yaml-cpp, the tree dropped.
[[gnu::noinline]] size_t parse_every_file(const std::vector<fs::path>& files) {
  size_t nodes = 0;
  for (const auto& f : files) nodes += YAML::LoadFile(f.string()).size();
  return nodes;
}

[[gnu::noinline]] ath::values_parity::Analysis check_workspace(const fs::path& root) { return ath::values_parity::analyse_workspace(root, "dev"); }

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

struct Best {
  double wall = 1e9, cpu = 1e9;
};

template <class F>
Best best_of(int repeats, F&& f) {
  Best best;
  for (int r = 0; r < repeats; ++r) {
    double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    f();
    best.wall = std::min(best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    best.cpu = std::min(best.cpu, cpu_seconds() - c0);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: values_parity_bench VALUES_DIR N[,N...] [REPEATS]\n");
    return 2;
  }
  fs::path values_src = argv[1];
  std::vector<int> sizes;
  std::stringstream list(argv[2]);
  for (std::string s; std::getline(list, s, ',');) sizes.push_back(std::stoi(s));
  int repeats = argc > 3 ? std::stoi(argv[3]) : 5;
  fs::path tmp = fs::temp_directory_path() / ("values-parity-bench-" + std::to_string(::getpid()));
  int rc = 0;
  double first_per_component = 0;
  std::printf("%-11s %6s %12s %12s %7s %14s %10s\n", "components", "files", "parse (ms)", "check (ms)", "ratio",
              "check/comp (us)", "cpu ratio");
  for (int n : sizes) {
    fs::remove_all(tmp);
    generate(values_src, tmp / "values", n);
    auto files = workspace_files(tmp / "values");
    size_t nodes = 0;
    Best parse = best_of(repeats, [&] { nodes += parse_every_file(files); });
    // Results are kept until after the timing: freeing the previous run's is not part of a check.
    std::vector<ath::values_parity::Analysis> runs;
    runs.reserve(static_cast<size_t>(repeats));
    Best check = best_of(repeats, [&] { runs.push_back(check_workspace(tmp / "values")); });
    const ath::values_parity::Analysis& a = runs.back();
    if (!a.findings.empty() || a.plans.size() != static_cast<size_t>(n)) {
      std::fprintf(stderr, "generated workspace of %d components: %zu findings, %zu plans (first: %s)\n", n, a.findings.size(),
                   a.plans.size(), a.findings.empty() ? "-" : a.findings[0].message.c_str());
      rc = 2;
      break;
    }
    double ratio = check.wall / parse.wall, per = check.wall / n * 1e6;
    if (first_per_component == 0) first_per_component = per;
    runs.clear();
    std::printf("%-11d %6zu %12.1f %12.1f %6.2fx %14.1f %9.2fx%s\n", n, files.size(), parse.wall * 1e3, check.wall * 1e3,
                ratio, per, check.cpu / parse.cpu, ratio > 2.0 ? "  OVER the 2x target" : "");
    if (ratio > 2.0) rc = std::max(rc, 1);
  }
  fs::remove_all(tmp);
  if (rc == 0 && sizes.size() > 1)
    std::printf("target: check <= 2x parse at every size; growth is linear when check/comp stays flat\n");
  return rc;
}
