// Object metadata, label selectors, immutability, durations and schedules: the validation
// building blocks every kind shares.

#include <string>
#include <utility>

#include "korder/api/cron.h"
#include "korder/api/duration.h"
#include "korder/api/field_errors.h"
#include "korder/api/names.h"
#include "korder/api/validation.h"
#include "validation_internal.h"

namespace korder::api {
namespace internal {
namespace {

// apimachinery's maskTrailingDash: a generateName prefix may end in '-' (the random suffix
// follows it), so the check replaces that dash (and, an upstream quirk kept on purpose because
// it decides which prefixes pass, the character before it) with one alphanumeric.
std::string mask_trailing_dash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-') {
    return std::string(name.substr(0, name.size() - 2)) + "a";
  }
  return std::string(name);
}

}  // namespace

std::vector<std::string> name_is_dns1123_label(std::string_view name, bool prefix) {
  return is_dns1123_label(prefix ? mask_trailing_dash(name) : std::string(name));
}

std::vector<std::string> name_is_dns1123_subdomain(std::string_view name, bool prefix) {
  return is_dns1123_subdomain(prefix ? mask_trailing_dash(name) : std::string(name));
}

FieldErrors validate_object_meta(const ObjectMeta& meta, bool namespaced,
                                 NameValidator name_validator) {
  FieldErrors errors;
  if (!meta.generate_name.empty()) {
    for (const auto& msg : name_validator(meta.generate_name, true)) {
      errors.push_back(field_invalid("metadata.generateName", meta.generate_name, msg));
    }
  }
  if (meta.name.empty()) {
    // A generateName object has no name before the API server assigns one; one without
    // either can never be created.
    if (meta.generate_name.empty()) {
      errors.push_back(field_required("metadata.name", "name or generateName is required"));
    }
  } else {
    for (const auto& msg : name_validator(meta.name, false)) {
      errors.push_back(field_invalid("metadata.name", meta.name, msg));
    }
  }
  if (namespaced) {
    // Not required: the API server fills the namespace from the request path, and korderctl
    // may validate an object before it knows the namespace it will be created in.
    if (!meta.namespace_.empty()) {
      for (const auto& msg : is_dns1123_label(meta.namespace_)) {
        errors.push_back(field_invalid("metadata.namespace", meta.namespace_, msg));
      }
    }
  } else if (!meta.namespace_.empty()) {
    errors.push_back(field_forbidden("metadata.namespace", "not allowed on this type"));
  }
  append_errors(errors, validate_object_meta_labels_and_annotations(meta.labels, meta.annotations,
                                                                    "metadata"));
  return errors;
}

void check_immutable(std::string_view updated, std::string_view old, const std::string& field,
                     FieldErrors& errors) {
  if (updated != old) {
    errors.push_back(field_invalid(field, updated, kFieldImmutableErrorMsg));
  }
}

std::optional<Duration> validate_positive_duration(std::string_view text, const std::string& field,
                                                   FieldErrors& errors) {
  if (text.empty()) {
    errors.push_back(field_required(field));
    return std::nullopt;
  }
  auto parsed = Duration::parse(text);
  if (!parsed) {
    errors.push_back(field_invalid(field, text, parsed.error().message));
    return std::nullopt;
  }
  if (parsed->count() <= 0) {
    errors.push_back(field_invalid(field, text, kIsNotPositiveErrorMsg));
    return std::nullopt;
  }
  return *parsed;
}

void validate_schedule_and_zone(std::string_view schedule, std::string_view time_zone,
                                const std::string& schedule_field,
                                const std::string& time_zone_field, FieldErrors& errors) {
  if (!schedule.empty()) {
    append_errors(errors,
                  validate_cron_schedule(schedule, time_zone, schedule_field, time_zone_field));
    return;
  }
  if (time_zone.empty()) {
    return;
  }
  // No schedule to check: load the zone with a schedule known to be valid and keep only what
  // is said about the zone, so a bad zone is reported even when the schedule is missing.
  for (auto& error : validate_cron_schedule("@daily", time_zone, schedule_field, time_zone_field)) {
    if (error.field == time_zone_field) {
      errors.push_back(std::move(error));
    }
  }
}

}  // namespace internal

FieldErrors validate_label_selector(const LabelSelector& selector, const std::string& path) {
  FieldErrors errors = validate_labels(selector.match_labels, child_path(path, "matchLabels"));
  const std::string expressions_path = child_path(path, "matchExpressions");
  for (std::size_t i = 0; i < selector.match_expressions.size(); ++i) {
    const auto& requirement = selector.match_expressions[i];
    const std::string req_path = index_path(expressions_path, i);
    const std::string values_path = child_path(req_path, "values");
    if (requirement.op == "In" || requirement.op == "NotIn") {
      if (requirement.values.empty()) {
        errors.push_back(
            field_required(values_path, "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (requirement.op == "Exists" || requirement.op == "DoesNotExist") {
      if (!requirement.values.empty()) {
        errors.push_back(field_forbidden(
            values_path, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errors.push_back(field_invalid(child_path(req_path, "operator"), requirement.op,
                                     "not a valid selector operator"));
    }
    for (const auto& msg : is_qualified_name(requirement.key)) {
      errors.push_back(field_invalid(child_path(req_path, "key"), requirement.key, msg));
    }
    for (std::size_t v = 0; v < requirement.values.size(); ++v) {
      for (const auto& msg : is_valid_label_value(requirement.values[v])) {
        errors.push_back(field_invalid(index_path(values_path, v), requirement.values[v], msg));
      }
    }
  }
  return errors;
}

}  // namespace korder::api
