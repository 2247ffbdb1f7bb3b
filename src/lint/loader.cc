#include "lint/loader.h"

#include <unistd.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "base/file_reader.h"

namespace nodex::lint {
namespace {

constexpr std::string_view kStdinName = "<stdin>";

// yaml-cpp 0.7's LoadAll never returns on some invalid streams ("{a: 1},",
// a lone ","): the parser keeps reporting an empty document without
// consuming the stray token, and LoadAll allocates a node for each (fixed
// upstream after 0.8, yaml-cpp PR #1319). A first pass over the parser's
// events stops where that happens: a document that is only a null at the
// place the previous one was, or more documents than the input has bytes.
class StallDetector : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {
    events_ = 0;
    lone_null_ = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    lone_null_ = ++events_ == 1;
    null_mark_ = mark;
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events_; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { ++events_; }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnMapEnd() override {}

  bool LoneNull() const { return lone_null_ && events_ == 1; }
  const YAML::Mark& null_mark() const { return null_mark_; }

 private:
  size_t events_ = 0;
  bool lone_null_ = false;
  YAML::Mark null_mark_;
};

// Throws what the parser throws for a syntax error.
Status CheckTerminates(const std::string& text, const std::string& name) {
  std::istringstream in{text};
  YAML::Parser parser(in);
  StallDetector detector;
  int last_null_pos = -1;
  size_t documents = 0;
  while (parser.HandleNextDocument(detector)) {
    bool stalled = ++documents > text.size() + 1;
    if (detector.LoneNull()) {
      stalled = stalled || detector.null_mark().pos == last_null_pos;
      last_null_pos = detector.null_mark().pos;
    }
    if (stalled) {
      return Status::Error(name + ":" + std::to_string(detector.null_mark().line + 1) +
                           ": invalid YAML: unexpected content after a document");
    }
  }
  return Status::Ok();
}

bool IsStringScalar(const YAML::Node& node) { return node.IsDefined() && node.IsScalar(); }

// A Kubernetes object is a map with string apiVersion and kind.
bool IsKubernetesObject(const YAML::Node& node) {
  if (!node.IsMap()) return false;
  return IsStringScalar(node["apiVersion"]) && IsStringScalar(node["kind"]);
}

bool IsList(const YAML::Node& node) {
  const std::string& kind = node["kind"].Scalar();
  return kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0 && node["items"].IsDefined() &&
         node["items"].IsSequence();
}

// YAML aliases let a few bytes name the same List many times over, so
// flattening is bounded: Lists nest at most kMaxListDepth deep (a List of
// DeploymentLists is the deepest real case) and one stream yields at most
// kMaxObjects objects.
constexpr int kMaxListDepth = 2;
constexpr size_t kMaxObjects = 200000;

bool Collect(const YAML::Node& node, const std::string& file, int depth, std::vector<Document>* out) {
  if (!IsKubernetesObject(node)) return true;
  if (IsList(node)) {
    if (depth >= kMaxListDepth) return true;
    for (const YAML::Node& item : node["items"]) {
      if (!Collect(item, file, depth + 1, out)) return false;
    }
    return true;
  }
  if (out->size() >= kMaxObjects) return false;
  out->push_back({file, node});
  return true;
}

Status ReadStdin(std::string* text) {
  std::vector<char> buffer;
  auto n = ReadFdFromStart(STDIN_FILENO, &buffer);
  if (n < 0) return Status::Error("read stdin: " + std::string(strerror(static_cast<int>(-n))));
  text->assign(buffer.data(), static_cast<size_t>(n));
  return Status::Ok();
}

bool HasYamlExtension(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

Status LoadFile(const std::string& path, std::vector<Document>* out) {
  std::string text;
  Status st = ReadFileOnce(path, &text);
  if (!st.ok()) return Status::Error(st.message());
  return ParseManifests(text, path, out);
}

Status LoadDirectory(const std::string& dir, std::vector<Document>* out) {
  std::error_code ec;
  std::vector<std::string> files;
  auto it = std::filesystem::recursive_directory_iterator(dir, ec);
  if (ec) return Status::Error("read directory " + dir + ": " + ec.message());
  for (auto end = std::filesystem::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) return Status::Error("read directory " + dir + ": " + ec.message());
    if (it->is_regular_file(ec) && HasYamlExtension(it->path())) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    Status st = LoadFile(f, out);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace

Status ParseManifests(std::string_view text, std::string_view file, std::vector<Document>* out) {
  std::string name(file);
  // yaml-cpp reports syntax errors and its own limits (nesting depth) as
  // exceptions; they stop here and become a Status.
  try {
    std::string copy(text);
    Status st = CheckTerminates(copy, name);
    if (!st.ok()) return st;
    std::istringstream in{std::move(copy)};
    std::vector<YAML::Node> docs = YAML::LoadAll(in);
    for (const YAML::Node& doc : docs) {
      if (!Collect(doc, name, 0, out)) {
        return Status::Error(name + ": more than " + std::to_string(kMaxObjects) + " objects in one input");
      }
    }
  } catch (const YAML::Exception& e) {
    std::string where = name;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1);
    return Status::Error(where + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status::Error(name + ": invalid YAML: " + e.what());
  }
  return Status::Ok();
}

Status LoadPaths(const std::vector<std::string>& paths, std::vector<Document>* out) {
  for (const std::string& path : paths) {
    if (path == "-") {
      std::string text;
      Status st = ReadStdin(&text);
      if (!st.ok()) return st;
      st = ParseManifests(text, kStdinName, out);
      if (!st.ok()) return st;
      continue;
    }
    std::error_code ec;
    bool dir = std::filesystem::is_directory(path, ec);
    Status st = dir ? LoadDirectory(path, out) : LoadFile(path, out);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace nodex::lint
