#include "lint/loader.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "base/file_reader.h"
#include "lint/parallel.h"

namespace nodex::lint {
namespace {

constexpr std::string_view kStdinName = "<stdin>";

// YAML aliases let a few bytes name the same List many times over, so
// flattening is bounded: Lists nest at most kMaxListDepth deep (a List of
// DeploymentLists is the deepest real case) and one run yields at most
// kMaxObjects objects.
constexpr int kMaxListDepth = 2;
constexpr size_t kMaxObjects = 200000;

// Pieces smaller than this are not worth a thread of their own; libyaml and
// the tree take ~10 ns a byte, so one still costs ~2.5 ms, far more than
// starting a thread.
constexpr size_t kMinPieceBytes = 256 << 10;

// A Kubernetes object is a map with string apiVersion and kind.
bool IsKubernetesObject(const YamlNode& node) {
  return node.IsMap() && node["apiVersion"].IsScalar() && node["kind"].IsScalar();
}

bool IsList(const YamlNode& node) {
  std::string_view kind = node["kind"].Scalar();
  return kind.size() >= 4 && kind.substr(kind.size() - 4) == "List" && node["items"].IsSequence();
}

// Appends the objects node holds; false once out holds kMaxObjects and more
// are coming.
bool Collect(const YamlNode& node, const std::string& file, const std::shared_ptr<const YamlTree>& tree, int depth,
             std::vector<Document>* out) {
  if (!IsKubernetesObject(node)) return true;
  if (IsList(node)) {
    if (depth >= kMaxListDepth) return true;
    for (const YamlNode& item : node["items"].Items()) {
      if (!Collect(item, file, tree, depth + 1, out)) return false;
    }
    return true;
  }
  if (out->size() >= kMaxObjects) return false;
  out->push_back({file, tree, node});
  return true;
}

Status InvalidYaml(const std::string& file, const YamlError& error) {
  std::string where = file;
  if (error.line > 0) where += ":" + std::to_string(error.line);
  return Status::Error(where + ": invalid YAML: " + error.message);
}

Status TooManyObjects(const std::string& file) {
  return Status::Error(file + ": more than " + std::to_string(kMaxObjects) + " objects in one input");
}

struct Input {
  std::string file;
  std::string_view text;
};

// A run of whole documents of one input, parsed on its own.
struct Piece {
  Piece(size_t input, std::string_view text, int first_line) : input(input), text(text), first_line(first_line) {}

  size_t input;
  std::string_view text;
  int first_line;  // 1-based, in the input
  // Results.
  bool ok = false;
  bool too_many = false;
  YamlError error;
  std::vector<Document> docs;
};

bool IsDocumentStartLine(std::string_view text, size_t at) {
  if (text.compare(at, 3, "---") != 0) return false;
  if (at + 3 == text.size()) return true;
  char c = text[at + 3];
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Where text may be cut into `pieces` runs of whole documents: starts of
// `---` lines. Such a line ends whatever came before it (libyaml ends a
// block or plain scalar there, and rejects it inside a quoted scalar or a
// flow collection, which the caller then sees as an error) and anchors do
// not cross documents, so the pieces hold the same documents
// as the whole. Never cut: streams with directives (%YAML, %TAG apply to the
// documents after them) and input that may not be UTF-8 (a NUL byte or a
// UTF-16 byte order mark), where "\n---" need not be a line.
std::vector<size_t> CutPoints(std::string_view text, size_t pieces) {
  std::vector<size_t> cuts;
  if (pieces <= 1 || text.empty() || text[0] == '%' || text.find("\n%") != std::string_view::npos ||
      text.find('\0') != std::string_view::npos || text.starts_with("\xfe\xff") || text.starts_with("\xff\xfe")) {
    return cuts;
  }
  const size_t step = text.size() / pieces;
  size_t from = step;
  while (cuts.size() + 1 < pieces && from < text.size()) {
    size_t nl = text.find("\n---", from - 1);
    while (nl != std::string_view::npos && !IsDocumentStartLine(text, nl + 1)) nl = text.find("\n---", nl + 1);
    if (nl == std::string_view::npos) break;
    cuts.push_back(nl + 1);
    from = std::max(nl + 2, step * (cuts.size() + 1));
  }
  return cuts;
}

void ParsePiece(const std::vector<Input>& inputs, Piece* piece) {
  const std::string& file = inputs[piece->input].file;
  try {
    auto tree = std::make_shared<YamlTree>();
    std::vector<YamlNode> roots;
    if (!tree->Parse(piece->text, piece->first_line, &roots, &piece->error)) return;
    std::shared_ptr<const YamlTree> shared = tree;
    for (const YamlNode& root : roots) {
      if (!Collect(root, file, shared, 0, &piece->docs)) {
        piece->too_many = true;
        break;
      }
    }
    piece->ok = true;
  } catch (const std::exception& e) {  // std::bad_alloc: nothing else throws
    piece->error = {0, e.what()};
    piece->docs.clear();
  }
}

// Parses every input, each cut into pieces parsed in parallel, and appends
// their objects to *out in input order. The first input that fails decides
// the error, as if they had been parsed one after another: an input that
// failed in pieces is parsed again whole, so the error is the one a serial
// parse reports.
Status ParseInputs(const std::vector<Input>& inputs, std::vector<Document>* out) {
  const unsigned cpus = LintThreads();
  std::vector<Piece> pieces;
  std::vector<size_t> first_piece(inputs.size() + 1);
  for (size_t i = 0; i < inputs.size(); ++i) {
    first_piece[i] = pieces.size();
    std::string_view text = inputs[i].text;
    size_t want = std::clamp<size_t>(text.size() / kMinPieceBytes, 1, cpus * 4);
    size_t begin = 0;
    int line = 1;
    for (size_t cut : CutPoints(text, want)) {
      pieces.emplace_back(i, text.substr(begin, cut - begin), line);
      line += static_cast<int>(std::count(text.begin() + begin, text.begin() + cut, '\n'));
      begin = cut;
    }
    pieces.emplace_back(i, text.substr(begin), line);
  }
  first_piece[inputs.size()] = pieces.size();
  ParallelFor(pieces.size(), [&](size_t p) { ParsePiece(inputs, &pieces[p]); });

  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& file = inputs[i].file;
    size_t first = first_piece[i], last = first_piece[i + 1];
    bool failed = std::any_of(pieces.begin() + first, pieces.begin() + last, [](const Piece& p) { return !p.ok; });
    if (failed && last - first > 1) {
      Piece whole(i, inputs[i].text, 1);
      ParsePiece(inputs, &whole);
      if (!whole.ok) return InvalidYaml(file, whole.error);
      pieces[first] = std::move(whole);  // the pieces were wrong to fail
      for (size_t p = first + 1; p < last; ++p) pieces[p].docs.clear();
      last = first + 1;
    } else if (failed) {
      return InvalidYaml(file, pieces[first].error);
    }
    for (size_t p = first; p < last; ++p) {
      for (Document& doc : pieces[p].docs) {
        if (out->size() >= kMaxObjects) return TooManyObjects(file);
        out->push_back(std::move(doc));
      }
      if (pieces[p].too_many) return TooManyObjects(file);
      pieces[p].docs = {};
    }
  }
  return Status::Ok();
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

Status ListDirectory(const std::string& dir, std::vector<std::string>* files) {
  std::error_code ec;
  auto it = std::filesystem::recursive_directory_iterator(dir, ec);
  if (ec) return Status::Error("read directory " + dir + ": " + ec.message());
  for (auto end = std::filesystem::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) return Status::Error("read directory " + dir + ": " + ec.message());
    if (it->is_regular_file(ec) && HasYamlExtension(it->path())) files->push_back(it->path().string());
  }
  std::sort(files->begin(), files->end());
  return Status::Ok();
}

// Reads every input named by paths, in order, into names/texts; stops at the
// first that cannot be read and returns its error.
Status ReadAll(const std::vector<std::string>& paths, std::vector<std::string>* names,
               std::vector<std::string>* texts) {
  auto read_file = [&](const std::string& path) {
    std::string text;
    Status st = ReadFileOnce(path, &text);
    if (!st.ok()) return Status::Error(st.message());
    names->push_back(path);
    texts->push_back(std::move(text));
    return Status::Ok();
  };
  for (const std::string& path : paths) {
    if (path == "-") {
      std::string text;
      Status st = ReadStdin(&text);
      if (!st.ok()) return st;
      names->emplace_back(kStdinName);
      texts->push_back(std::move(text));
      continue;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      Status st = read_file(path);
      if (!st.ok()) return st;
      continue;
    }
    std::vector<std::string> files;
    Status st = ListDirectory(path, &files);
    if (!st.ok()) return st;
    for (const std::string& f : files) {
      st = read_file(f);
      if (!st.ok()) return st;
    }
  }
  return Status::Ok();
}

}  // namespace

Status ParseManifests(std::string_view text, std::string_view file, std::vector<Document>* out) {
  return ParseInputs({{std::string(file), text}}, out);
}

Status LoadPaths(const std::vector<std::string>& paths, std::vector<Document>* out) {
  std::vector<std::string> names, texts;
  // An input that cannot be read ends the list; the ones before it still
  // report their errors first, as when each was parsed right after reading.
  Status read = ReadAll(paths, &names, &texts);
  std::vector<Input> inputs;
  inputs.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) inputs.push_back({names[i], texts[i]});
  Status st = ParseInputs(inputs, out);
  if (!st.ok()) return st;
  return read;
}

}  // namespace nodex::lint
