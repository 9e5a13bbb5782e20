#include "manifests.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "korder/api/yaml.h"
#include "process.h"

namespace korder::testing {

Manifests::Manifests(const std::string& yaml) {
  auto documents = api::yaml_documents_to_json(yaml);
  if (!documents) {
    throw std::runtime_error("manifests do not parse: " + documents.error().to_string());
  }
  for (std::size_t i = 0; i < documents->size(); ++i) {
    auto doc = std::make_unique<api::JsonDocument>();
    auto parsed = api::parse_json((*documents)[i], *doc);
    if (!parsed || !doc->IsObject()) {
      throw std::runtime_error("manifest document " + std::to_string(i) + " is not an object");
    }
    objects_.push_back(std::move(doc));
  }
}

const api::JsonValue* Manifests::find(const std::string& kind, const std::string& name) const {
  for (const auto& object : objects_) {
    if (str(*object, "kind") == kind && str(*object, "metadata.name") == name) {
      return object.get();
    }
  }
  return nullptr;
}

const api::JsonValue& Manifests::get(const std::string& kind, const std::string& name) const {
  const api::JsonValue* object = find(kind, name);
  if (object == nullptr) {
    throw std::runtime_error("no " + kind + " named " + name + " in the manifests");
  }
  return *object;
}

std::vector<const api::JsonValue*> Manifests::all(const std::string& kind) const {
  std::vector<const api::JsonValue*> out;
  for (const auto& object : objects_) {
    if (str(*object, "kind") == kind) {
      out.push_back(object.get());
    }
  }
  return out;
}

std::vector<std::string> Manifests::keys() const {
  std::vector<std::string> out;
  for (const auto& object : objects_) {
    out.push_back(str(*object, "kind") + "/" + str(*object, "metadata.namespace") + "/" +
                  str(*object, "metadata.name"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

const api::JsonValue* at(const api::JsonValue& value, const std::string& path) {
  const api::JsonValue* current = &value;
  std::size_t start = 0;
  while (start <= path.size() && !path.empty()) {
    const std::size_t dot = path.find('.', start);
    const std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (current->IsObject()) {
      auto it = current->FindMember(part.c_str());
      if (it == current->MemberEnd()) {
        return nullptr;
      }
      current = &it->value;
    } else if (current->IsArray()) {
      char* end = nullptr;
      const unsigned long index = std::strtoul(part.c_str(), &end, 10);
      if (part.empty() || *end != '\0' || index >= current->Size()) {
        return nullptr;
      }
      current = &(*current)[static_cast<rapidjson::SizeType>(index)];
    } else {
      return nullptr;
    }
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  return current;
}

std::string str(const api::JsonValue& value, const std::string& path) {
  const api::JsonValue* v = at(value, path);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

long long integer(const api::JsonValue& value, const std::string& path) {
  const api::JsonValue* v = at(value, path);
  return v != nullptr && v->IsInt64() ? v->GetInt64() : -1;
}

std::vector<std::string> strings(const api::JsonValue& value, const std::string& path) {
  std::vector<std::string> out;
  const api::JsonValue* v = at(value, path);
  if (v != nullptr && v->IsArray()) {
    for (const auto& item : v->GetArray()) {
      if (item.IsString()) {
        out.emplace_back(item.GetString(), item.GetStringLength());
      }
    }
  }
  return out;
}

std::string kustomize(const std::string& relative_dir) {
  TempDir home;
  const auto result = run_command({"kubectl", "kustomize", source_dir() + "/" + relative_dir},
                                  {{"HOME", home.path()}, {"KUBECACHEDIR", home.path() + "/cache"}},
                                  std::chrono::seconds(30));
  if (result.exit_code != 0) {
    throw std::runtime_error("kubectl kustomize " + relative_dir + " failed (exit " +
                             std::to_string(result.exit_code) + "):\n" + result.out + result.err);
  }
  return result.out;
}

std::string read_source(const std::string& relative_path) {
  std::ifstream in(source_dir() + "/" + relative_path);
  if (!in.good()) {
    throw std::runtime_error("cannot read " + relative_path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace korder::testing
