#include "core/yaml_load.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace ath {

namespace {

// Sees the parser's events without building anything; keeps where the last document began.
struct DocumentStarts : YAML::EventHandler {
  YAML::Mark last{};
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::vector<YAML::Node> load_yaml_nodes(const std::string& text) {
  // Every document after the first takes at least three bytes ("---"), so a stream cannot hold
  // more than this many; past it the parser is going round in circles. Counting first (events
  // only) costs a second pass, but yaml-cpp's node builder, which LoadAll uses, is not public.
  const size_t max_documents = text.size() / 3 + 2;
  {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    for (size_t n = 0; parser.HandleNextDocument(starts);)
      if (++n > max_documents)
        throw YAML::ParserException(starts.last, "the YAML reader stops making progress here (malformed input)");
  }
  return YAML::LoadAll(text);
}

}  // namespace ath
