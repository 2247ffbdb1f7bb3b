#include "lint/reporters.h"

#include <cstdio>

#include "base/json.h"

namespace nodex::lint {
namespace {

std::string_view SarifLevel(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarn: return "warning";
    case Severity::kInfo: return "note";
  }
  return "warning";
}

// SARIF wants a URI reference; file names may hold anything.
std::string FileUri(std::string_view file) {
  if (file == "<stdin>") return "stdin";
  std::string out;
  for (unsigned char c : file) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                 c == '_' || c == '~' || c == '/';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out.append(buf);
    }
  }
  return out;
}

std::string Subject(const Finding& f) {
  std::string s = f.kind == "Namespace" ? f.kind + "/" + f.name : f.kind + "/" + f.ns + "/" + f.name;
  if (f.container) s += "/" + *f.container;
  return s;
}

void AppendField(std::string* out, std::string_view key, std::string_view value, bool comma = true) {
  if (comma) out->push_back(',');
  AppendJsonString(out, key);
  out->push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

// lint has always escaped DEL as well.
void AppendJsonString(std::string* out, std::string_view s) { nodex::AppendJsonString(out, s, /*escape_del=*/true); }

Summary Summarise(const std::vector<Finding>& findings, int objects) {
  Summary s;
  s.objects = objects;
  for (const Finding& f : findings) {
    switch (f.severity) {
      case Severity::kError: ++s.error; break;
      case Severity::kWarn: ++s.warn; break;
      case Severity::kInfo: ++s.info; break;
    }
  }
  return s;
}

std::string FormatText(const std::vector<Finding>& findings, const Summary& summary) {
  std::string out;
  for (const Finding& f : findings) {
    out += f.file + ":" + std::to_string(f.line) + ": " + std::string(SeverityName(f.severity)) + " " + f.rule + " " +
           Subject(f) + ": " + f.message + " (fix: " + f.fix + ")\n";
  }
  out += std::to_string(summary.objects) + " objects: " + std::to_string(summary.error) + " error, " +
         std::to_string(summary.warn) + " warn, " + std::to_string(summary.info) + " info\n";
  return out;
}

std::string FormatJson(const std::vector<Finding>& findings, const Summary& summary) {
  std::string out = "{\"findings\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    AppendField(&out, "rule", f.rule, false);
    AppendField(&out, "severity", SeverityName(f.severity));
    AppendField(&out, "file", f.file);
    out += ",\"line\":" + std::to_string(f.line);
    AppendField(&out, "kind", f.kind);
    AppendField(&out, "namespace", f.ns);
    AppendField(&out, "name", f.name);
    if (f.container) {
      AppendField(&out, "container", *f.container);
    } else {
      out += ",\"container\":null";
    }
    AppendField(&out, "message", f.message);
    AppendField(&out, "fix", f.fix);
    out.push_back('}');
  }
  out += "],\"summary\":{\"error\":" + std::to_string(summary.error) + ",\"warn\":" + std::to_string(summary.warn) +
         ",\"info\":" + std::to_string(summary.info) + ",\"objects\":" + std::to_string(summary.objects) + "}}\n";
  return out;
}

std::string FormatSarif(const std::vector<Finding>& findings, std::span<const Rule* const> rules,
                        std::string_view version) {
  std::string out =
      "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{"
      "\"driver\":{";
  AppendField(&out, "name", "nodex lint", false);
  AppendField(&out, "version", version);
  out += ",\"rules\":[";
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = *rules[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    AppendField(&out, "id", r.id, false);
    out += ",\"shortDescription\":{";
    AppendField(&out, "text", r.description, false);
    out += "},\"help\":{";
    AppendField(&out, "text", r.fix, false);
    out += "},\"defaultConfiguration\":{";
    AppendField(&out, "level", SarifLevel(r.severity), false);
    out += "}}";
  }
  out += "]}},\"results\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    AppendField(&out, "ruleId", f.rule, false);
    for (size_t r = 0; r < rules.size(); ++r) {
      if (rules[r]->id == f.rule) out += ",\"ruleIndex\":" + std::to_string(r);
    }
    AppendField(&out, "level", SarifLevel(f.severity));
    out += ",\"message\":{";
    AppendField(&out, "text", Subject(f) + ": " + f.message + " (fix: " + f.fix + ")", false);
    out += "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{";
    AppendField(&out, "uri", FileUri(f.file), false);
    out += "}";
    if (f.line > 0) out += ",\"region\":{\"startLine\":" + std::to_string(f.line) + "}";
    out += "}}]}";
  }
  out += "]}]}\n";
  return out;
}

std::string FormatRuleTable(std::span<const Rule* const> rules) {
  std::string out = "ID     SEVERITY  DESCRIPTION\n";
  for (const Rule* r : rules) {
    std::string sev(SeverityName(r->severity));
    sev.resize(8, ' ');
    out += std::string(r->id) + "  " + sev + "  " + std::string(r->description) + "\n";
    out += "                 fix: " + std::string(r->fix) + "\n";
  }
  return out;
}

}  // namespace nodex::lint
