// The one table of lint rules, in ID order. Every rule is defined in its own
// file (rules/hnXXX_*.cc) and listed in rules.cc; nothing registers itself.
#ifndef NODEX_LINT_RULES_RULES_H_
#define NODEX_LINT_RULES_RULES_H_

#include <span>
#include <string_view>

#include "lint/rules/rule.h"

namespace nodex::lint {

extern const Rule kHN002;
extern const Rule kHN003;
extern const Rule kHN004;
extern const Rule kHN010;
extern const Rule kHN011;
extern const Rule kHN012;
extern const Rule kHN013;
extern const Rule kHN014;
extern const Rule kHN015;
extern const Rule kHN016;
extern const Rule kHN018;
extern const Rule kHN019;
extern const Rule kHN020;
extern const Rule kHN021;
extern const Rule kHN030;
extern const Rule kHN031;
extern const Rule kHN032;
extern const Rule kHN033;
extern const Rule kHN034;
extern const Rule kHN035;
extern const Rule kHN040;
extern const Rule kHN041;
extern const Rule kHN042;
extern const Rule kHN043;
extern const Rule kHN050;
extern const Rule kHN051;
extern const Rule kHN052;
extern const Rule kHN060;
extern const Rule kHN062;
extern const Rule kHN064;
extern const Rule kHN080;

std::span<const Rule* const> AllRules();
const Rule* FindRule(std::string_view id);

}  // namespace nodex::lint

#endif  // NODEX_LINT_RULES_RULES_H_
