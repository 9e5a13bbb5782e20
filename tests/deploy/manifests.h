#pragma once

// Reading deploy/'s manifests in tests: kubectl kustomize output or install.yaml as JSON objects,
// found by kind and name, with small accessors that name the path that is missing.

#include <memory>
#include <string>
#include <vector>

#include "korder/api/json.h"

namespace korder::testing {

/// The objects of a multi-document YAML stream.
class Manifests {
 public:
  /// Parses `yaml`; throws std::runtime_error naming the document that does not parse.
  explicit Manifests(const std::string& yaml);

  /// Every object, in stream order.
  const std::vector<std::unique_ptr<api::JsonDocument>>& objects() const { return objects_; }
  /// The object of `kind` named `name` (nullptr when absent).
  const api::JsonValue* find(const std::string& kind, const std::string& name) const;
  /// Like find, but throws std::runtime_error naming the object when it is absent.
  const api::JsonValue& get(const std::string& kind, const std::string& name) const;
  /// Every object of `kind`.
  std::vector<const api::JsonValue*> all(const std::string& kind) const;
  /// `kind/namespace/name` of every object (namespace empty for cluster-scoped ones), sorted.
  std::vector<std::string> keys() const;

 private:
  std::vector<std::unique_ptr<api::JsonDocument>> objects_;
};

/// The value at `path` (`spec.template.spec`; array elements as `containers.0`), or nullptr.
const api::JsonValue* at(const api::JsonValue& value, const std::string& path);
/// The string at `path`, or "" when it is absent or not a string.
std::string str(const api::JsonValue& value, const std::string& path);
/// The integer at `path`, or -1 when it is absent or not an integer.
long long integer(const api::JsonValue& value, const std::string& path);
/// The strings of the array at `path` (empty when absent).
std::vector<std::string> strings(const api::JsonValue& value, const std::string& path);

/// `kubectl kustomize <source_dir()/relative_dir>`: its stdout; throws with kubectl's output
/// when it fails.
std::string kustomize(const std::string& relative_dir);

/// The contents of a file under the repository root; throws when it cannot be read.
std::string read_source(const std::string& relative_path);

}  // namespace korder::testing
