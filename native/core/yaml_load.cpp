#include "core/yaml_load.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <string_view>

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

// yaml-cpp 0.7's parser ends a document without consuming a token only when the document
// starts with a token its SingleDocParser::HandleNode leaves in place (src/singledocparser.cpp,
// the switch's default): a flow entry, the end of a flow collection, or a key outside a map.
// Those come from ',', ']', '}' and '?' only. A one-line flow collection of plain text, such as
// "[]", "{}" or "[apps]", cannot leave a stray one: if its opening bracket is a token, the closing
// one ends it; if not, both are inside the same scalar or comment (the text between them holds no
// line break, quote, ':' or '#' that could end one). A stream with no other of those characters
// cannot loop, and is read in one pass.
bool may_loop(const std::string& text) {
  static constexpr std::string_view kLoopers = ",]}?", kInGroup = ",[]{}?#'\"\n\r:|>&*!%@`\\";
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '[' || c == '{') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '\0' && kInGroup.find(text[end]) == std::string_view::npos) ++end;
      if (end == text.size() || text[end] != (c == '[' ? ']' : '}')) return true;
      i = end;
    } else if (kLoopers.find(c) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<YAML::Node> load_yaml_nodes(const std::string& text) {
  // Every document after the first takes at least three bytes ("---"), so a stream cannot hold
  // more than this many; past it the parser is going round in circles. Counting first (events
  // only) costs a second pass, but yaml-cpp's node builder, which LoadAll uses, is not public.
  const size_t max_documents = text.size() / 3 + 2;
  if (!may_loop(text)) {
    auto docs = YAML::LoadAll(text);
    if (docs.size() <= max_documents) return docs;
    // More documents than the guard allows (such as "{}{}{}[][]b"): the guarded read below
    // refuses it, with the same message as before.
  }
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
