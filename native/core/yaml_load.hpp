#pragma once
// YAML::LoadAll with a guard. yaml-cpp 0.7 (Debian 12's) loops forever on some malformed streams,
// for example one starting with a stray ',' or ']': its LoadAll keeps adding empty documents
// without moving on, until memory runs out (jbeder/yaml-cpp#1040; fixed in yaml-cpp 0.9 by #1319,
// src/parse.cpp LoadAll). A values file or manifest of two bytes must not take the machine down.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace ath {

// The documents of a YAML stream, as YAML::LoadAll gives them. Throws YAML::ParserException
// (at the place the parser stopped moving on) where yaml-cpp 0.7 would loop.
std::vector<YAML::Node> load_yaml_nodes(const std::string& text);

}  // namespace ath
