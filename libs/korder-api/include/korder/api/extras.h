#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/json_fwd.h"

namespace korder::api {

class JsonObjectReader;

/// The members of a JSON object that its C++ struct does not model, kept so that a
/// read-modify-write keeps fields korder does not know (pod `spec.volumes`,
/// `metadata.managedFields`, `status.containerStatuses`, fields of newer API versions).
/// Decoding fills it; encoding writes the members back after the modelled ones.
///
/// Immutable and cheap to copy (a shared pointer to compact JSON text). Empty when nothing was
/// left over. Equality compares the text, so two extras are equal when they hold the same
/// members in the same order with the same compact spelling (always true for extras decoded
/// from the same input).
class Extras {
 public:
  /// No members.
  Extras() = default;

  /// Extras holding the members of `object_json`, a JSON object's text (for code that builds
  /// an object with fields korder does not model, such as a pod's `securityContext`). Errors:
  /// malformed JSON, or a value that is not an object. `{}` gives empty extras.
  static Expected<Extras, ParseError> parse(std::string_view object_json);

  /// True when there are no members.
  bool empty() const { return json_ == nullptr; }

  /// The members as compact JSON object text (`{"volumes":[...]}`); `{}` when empty.
  std::string_view json() const;

  /// The member names, in order (for drift checks and diagnostics).
  std::vector<std::string> keys() const;

  bool operator==(const Extras& other) const;

 private:
  friend class JsonObjectReader;
  explicit Extras(std::shared_ptr<const std::string> json) : json_(std::move(json)) {}

  std::shared_ptr<const std::string> json_;
};

/// One JSON value kept verbatim (as compact text) where korder does not model a field's
/// contents but must keep it: an AdmissionReview's `object`/`oldObject` (each endpoint
/// decodes its own kind), pod affinity terms. Absent when the member was missing or `null`.
/// Immutable and cheap to copy.
class RawJson {
 public:
  /// Absent.
  RawJson() = default;

  /// Keeps `json`, which must be one well-formed JSON value (`null` gives an absent RawJson).
  static Expected<RawJson, ParseError> parse(std::string_view json);

  bool has_value() const { return json_ != nullptr; }

  /// The compact JSON text; empty when absent.
  std::string_view json() const;

  bool operator==(const RawJson& other) const;

 private:
  friend DecodeResult from_json_value(const JsonValue& json, RawJson& out);
  explicit RawJson(std::shared_ptr<const std::string> json) : json_(std::move(json)) {}

  std::shared_ptr<const std::string> json_;
};

}  // namespace korder::api
