// A seeded mutation run for LLVMFuzzerTestOneInput when libFuzzer is not at hand (g++ builds, the
// ASan/UBSan unit pass): replays every seed, then feeds mutations of them, reproducibly from
// --seed. No coverage guidance; libFuzzer (see README) does the long runs.
//   core_yaml_json_fuzz_replay [--runs N] [--seed S] [--max-len BYTES] SEED_DIR_OR_FILE...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Fragments that reach the readers' interesting paths when spliced in anywhere.
const char* const kTokens[] = {
    "&a ", "*a", "<<: ", "<<: *a\n", "[", "]", "{", "}", ": ", "- ", "\n  ", "---\n", "...\n", "? ",
    "!!float ", "!!int ", "!!str ", "!!binary ", "!local ", "1e999", "-1e999", "1e-999",
    "18446744073709551616", "0x1ffffffffffffffff", "0o777", ".inf", ".nan", "~", "null", "\"\\u0000\"",
    "'", "\"", "#", "|\n  ", ">-\n  ", "\t", "\xEF\xBB\xBF", "\xFF\xFE", "\xFE\xFF", "\xC3\x28", "\xF0\x9F\x98",
    "" /* a NUL byte */, "{\"a\":", "[[[[[[[[", "]]]]]]]]", "\"kind\": \"Secret\"", "kind: Secret\n"};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string mutate(std::string s, const std::vector<std::string>& seeds, std::mt19937& rng, size_t max_len) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const int steps = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < steps; ++i) {
    const size_t pos = pick(s.size() + 1);
    switch (pick(7)) {
      case 0:  // flip a bit
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 1:  // set a random byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256));
        break;
      case 2:  // delete a run
        if (!s.empty()) s.erase(pick(s.size()), 1 + pick(16));
        break;
      case 3: {  // insert a token
        const char* t = kTokens[pick(std::size(kTokens))];
        s.insert(pos, *t ? std::string(t) : std::string(1, '\0'));
        break;
      }
      case 4: {  // duplicate a run (nesting, repeated keys)
        if (s.empty()) break;
        const size_t from = pick(s.size());
        const std::string run = s.substr(from, 1 + pick(64));
        for (size_t k = 0, n = 1 + pick(8); k < n; ++k) s.insert(pos, run);
        break;
      }
      case 5: {  // splice in part of another seed
        const std::string& other = seeds[pick(seeds.size())];
        if (!other.empty()) s.insert(pos, other.substr(pick(other.size()), 1 + pick(256)));
        break;
      }
      default:  // cut
        s.resize(pos);
    }
    if (s.size() > max_len) s.resize(max_len);
  }
  return s;
}

void run_one(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 10000;
  unsigned seed = 1;
  size_t max_len = 8192;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--runs" || a == "--seed" || a == "--max-len") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--runs") runs = std::stol(v);
      else if (a == "--seed") seed = static_cast<unsigned>(std::stoul(v));
      else max_len = std::stoul(v);
    } else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.is_regular_file()) seeds.push_back(read_file(e.path()));
    } else if (std::filesystem::is_regular_file(a)) {
      seeds.push_back(read_file(a));
    } else {
      std::fprintf(stderr, "usage: %s [--runs N] [--seed S] [--max-len BYTES] SEED_DIR_OR_FILE...\n", argv[0]);
      return 2;
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "no seeds given\n");
    return 2;
  }
  for (const auto& s : seeds) run_one(s);
  std::mt19937 rng(seed);
  for (long r = 0; r < runs; ++r) {
    std::string input = mutate(seeds[rng() % seeds.size()], seeds, rng, max_len);
    run_one(input);
  }
  std::printf("%zu seeds and %ld mutations (seed %u): no finding\n", seeds.size(), runs, seed);
  return 0;
}
