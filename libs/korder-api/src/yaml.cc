#include "korder/api/yaml.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <exception>
#include <regex>
#include <sstream>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace korder::api {
namespace {

constexpr int kMaxDepth = 1000;

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

bool is_yaml_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_yaml_bool(const std::string& s, bool& value) {
  if (s == "true" || s == "True" || s == "TRUE") {
    value = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    value = false;
    return true;
  }
  return false;
}

// YAML 1.2 core schema integers (decimal only; kubectl's sigs.k8s.io/yaml also reads 1.1
// octal/hex forms, which manifests do not use) and floats.
bool is_yaml_int(const std::string& s) {
  static const std::regex re("[-+]?[0-9]+");
  return std::regex_match(s, re);
}

bool is_yaml_float(const std::string& s) {
  static const std::regex re(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return std::regex_match(s, re);
}

std::string mark_text(const YAML::Mark& mark) {
  std::ostringstream os;
  os << "yaml: line " << (mark.line + 1) << ", column " << (mark.column + 1);
  return os.str();
}

Expected<void, ParseError> write_scalar(const YAML::Node& node, Writer& w) {
  const std::string& s = node.Scalar();
  // A quoted scalar (tag "!") is always a string; so is an explicitly tagged one.
  if (node.Tag() != "?") {
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    return {};
  }
  bool b = false;
  if (is_yaml_null(s)) {
    w.Null();
  } else if (is_yaml_bool(s, b)) {
    w.Bool(b);
  } else if (is_yaml_int(s)) {
    std::int64_t v = 0;
    const char* begin = s.data() + (s.front() == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) {
      w.Int64(v);
    } else {
      // Beyond int64: keep the digits as a raw JSON number.
      std::string digits(begin, s.data() + s.size());
      w.RawValue(digits.c_str(), digits.size(), rapidjson::kNumberType);
    }
  } else if (is_yaml_float(s)) {
    std::string num = s.front() == '+' ? s.substr(1) : s;
    // JSON needs a digit on both sides of the point: ".5" -> "0.5", "5." -> "5.0".
    if (num.front() == '.') {
      num.insert(0, "0");
    } else if (num.size() > 1 && num[0] == '-' && num[1] == '.') {
      num.insert(1, "0");
    }
    if (auto dot = num.find('.'); dot != std::string::npos &&
                                  (dot + 1 == num.size() || !std::isdigit(num[dot + 1]))) {
      num.insert(dot + 1, "0");
    }
    w.RawValue(num.c_str(), num.size(), rapidjson::kNumberType);
  } else {
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  }
  return {};
}

Expected<void, ParseError> write_node(const YAML::Node& node, Writer& w, int depth) {
  if (depth > kMaxDepth) {
    return Unexpected(ParseError{"yaml: nesting deeper than 1000 levels", ""});
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      w.Null();
      return {};
    case YAML::NodeType::Scalar:
      return write_scalar(node, w);
    case YAML::NodeType::Sequence:
      w.StartArray();
      for (const auto& item : node) {
        if (auto r = write_node(item, w, depth + 1); !r) {
          return r;
        }
      }
      w.EndArray();
      return {};
    case YAML::NodeType::Map:
      w.StartObject();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return Unexpected(ParseError{mark_text(kv.first.Mark()) + ": mapping keys must be scalars", ""});
        }
        const std::string& key = kv.first.Scalar();
        w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
        if (auto r = write_node(kv.second, w, depth + 1); !r) {
          return r;
        }
      }
      w.EndObject();
      return {};
  }
  return {};
}

Expected<std::string, ParseError> node_to_json(const YAML::Node& node) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  if (auto r = write_node(node, writer, 0); !r) {
    return Unexpected(std::move(r).error());
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

Expected<std::string, ParseError> yaml_to_json(std::string_view yaml) {
  auto docs = yaml_documents_to_json(yaml);
  if (!docs) {
    return Unexpected(std::move(docs).error());
  }
  if (docs->empty()) {
    return std::string("null");
  }
  if (docs->size() > 1) {
    return Unexpected(ParseError{"yaml: expected one document, found " +
                                     std::to_string(docs->size()), ""});
  }
  return std::move(docs->front());
}

Expected<std::vector<std::string>, ParseError> yaml_documents_to_json(std::string_view yaml) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Unexpected(ParseError{mark_text(e.mark) + ": " + e.msg, ""});
  } catch (const std::exception& e) {
    return Unexpected(ParseError{std::string("yaml: ") + e.what(), ""});
  }
  std::vector<std::string> out;
  for (const auto& node : nodes) {
    if (node.IsNull() || !node.IsDefined()) {
      continue;
    }
    try {
      auto json = node_to_json(node);
      if (!json) {
        return Unexpected(std::move(json).error());
      }
      out.push_back(std::move(*json));
    } catch (const YAML::Exception& e) {
      return Unexpected(ParseError{mark_text(e.mark) + ": " + e.msg, ""});
    }
  }
  return out;
}

}  // namespace korder::api
