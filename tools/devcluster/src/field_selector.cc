#include "field_selector.h"

#include <algorithm>

namespace korder::devcluster {
namespace {

/// Splits on unescaped `,`.
std::vector<std::string> split_terms(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      current += text[i];
      current += text[++i];
    } else if (text[i] == ',') {
      out.push_back(std::move(current));
      current.clear();
    } else {
      current += text[i];
    }
  }
  out.push_back(std::move(current));
  return out;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ++i;
    }
    out += text[i];
  }
  return out;
}

}  // namespace

Expected<FieldSelector, std::string> parse_field_selector(std::string_view text,
                                                          const std::vector<std::string>& allowed) {
  FieldSelector selector;
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    return selector;
  }
  for (const std::string& term : split_terms(text)) {
    if (term.empty()) {
      continue;
    }
    FieldRequirement r;
    std::size_t op = std::string::npos;
    std::size_t op_len = 0;
    for (std::size_t i = 0; i < term.size(); ++i) {
      if (term[i] == '\\') {
        ++i;
        continue;
      }
      if (term.compare(i, 2, "!=") == 0) {
        op = i, op_len = 2, r.equals = false;
        break;
      }
      if (term.compare(i, 2, "==") == 0) {
        op = i, op_len = 2;
        break;
      }
      if (term[i] == '=') {
        op = i, op_len = 1;
        break;
      }
    }
    if (op == std::string::npos) {
      return Unexpected("invalid selector: '" + std::string(text) + "'; can't understand '" + term +
                        "'");
    }
    r.field = term.substr(0, op);
    r.value = unescape(std::string_view(term).substr(op + op_len));
    if (r.field != "metadata.name" && r.field != "metadata.namespace" &&
        std::find(allowed.begin(), allowed.end(), r.field) == allowed.end()) {
      return Unexpected("field label not supported: " + r.field);
    }
    selector.requirements.push_back(std::move(r));
  }
  return selector;
}

std::string field_value(const JsonValue& object, std::string_view field) {
  const JsonValue* current = &object;
  std::size_t start = 0;
  while (current != nullptr && start <= field.size()) {
    const std::size_t dot = field.find('.', start);
    const std::string_view step =
        field.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    current = find_member(*current, step);
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  if (current == nullptr || current->IsNull()) {
    return {};
  }
  if (current->IsString()) {
    return {current->GetString(), current->GetStringLength()};
  }
  if (current->IsBool()) {
    return current->GetBool() ? "true" : "false";
  }
  if (current->IsNumber()) {
    return api::write_json(*current);
  }
  return {};
}

bool matches(const FieldSelector& selector, const JsonValue& object) {
  for (const auto& r : selector.requirements) {
    // Events select `source` by the component that reported them.
    const std::string_view field =
        r.field == "source" ? std::string_view("source.component") : std::string_view(r.field);
    const bool equal = field_value(object, field) == r.value;
    if (equal != r.equals) {
      return false;
    }
  }
  return true;
}

}  // namespace korder::devcluster
