// Output of `nodex lint`: text for people, JSON for scripts, SARIF 2.1.0 for
// code-scanning UIs. Each formatter returns the whole document; findings are
// printed in the order given.
#ifndef NODEX_LINT_REPORTERS_H_
#define NODEX_LINT_REPORTERS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lint/model.h"
#include "lint/rules/rule.h"

namespace nodex::lint {

struct Summary {
  int error = 0;
  int warn = 0;
  int info = 0;
  int objects = 0;
};

Summary Summarise(const std::vector<Finding>& findings, int objects);

// file:line: severity HNxxx Kind/namespace/name[/container]: message (fix: ...)
// and a summary line.
std::string FormatText(const std::vector<Finding>& findings, const Summary& summary);
std::string FormatJson(const std::vector<Finding>& findings, const Summary& summary);
std::string FormatSarif(const std::vector<Finding>& findings, std::span<const Rule* const> rules,
                        std::string_view version);
// The rule table for --list-rules.
std::string FormatRuleTable(std::span<const Rule* const> rules);

// A JSON string literal, quotes included.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace nodex::lint

#endif  // NODEX_LINT_REPORTERS_H_
