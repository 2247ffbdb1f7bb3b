#include "collectors/collector.h"

namespace nodex::collectors {

std::string JoinPath(std::string_view base, std::string_view rel) {
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  std::string out(base);
  if (rel.empty()) return out;
  if (!out.empty() && out.back() != '/') out.push_back('/');
  out.append(rel);
  return out;
}

void FlagValues::Set(std::string_view name, std::string value) {
  values_[std::string(name)] = std::vector<std::string>{std::move(value)};
}

void FlagValues::SetList(std::string_view name, std::vector<std::string> values) {
  values_[std::string(name)] = std::move(values);
}

bool FlagValues::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

bool FlagValues::GetBool(std::string_view name) const {
  const std::string& v = GetString(name);
  return v == "true" || v == "1";
}

const std::string& FlagValues::GetString(std::string_view name) const {
  static const std::string kEmpty;
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return kEmpty;
  return it->second.back();
}

const std::vector<std::string>& FlagValues::GetList(std::string_view name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

}  // namespace nodex::collectors
