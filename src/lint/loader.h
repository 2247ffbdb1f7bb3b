// Manifest loading for `nodex lint`: YAML streams from files, directories and
// stdin, split into the Kubernetes objects they hold. Multi-document streams
// and `kind: *List` objects are flattened; documents that are not Kubernetes
// objects (no string apiVersion and kind) are skipped silently, because
// kustomize output and Helm charts mix in other YAML. Broken YAML is an error
// that names file:line.
//
// Parsing is libyaml's event parser into YamlTree (yaml_tree.h), one tree per
// piece of input: a large input is cut at its `---` lines into pieces parsed
// on all CPUs, because parsing is still most of lint's cost.
#ifndef NODEX_LINT_LOADER_H_
#define NODEX_LINT_LOADER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "lint/yaml_tree.h"

namespace nodex::lint {

// One Kubernetes object and the file it came from ("<stdin>" for "-").
struct Document {
  std::string file;
  std::shared_ptr<const YamlTree> tree;  // keeps node valid
  YamlNode node;
};

// Parses one YAML stream (text may hold any bytes) and appends its objects to
// *out. Never throws.
Status ParseManifests(std::string_view text, std::string_view file, std::vector<Document>* out);

// Loads every path in order: "-" reads stdin, a directory is walked
// recursively for *.yaml and *.yml in name order, anything else is read as a
// file whatever its name.
Status LoadPaths(const std::vector<std::string>& paths, std::vector<Document>* out);

}  // namespace nodex::lint

#endif  // NODEX_LINT_LOADER_H_
