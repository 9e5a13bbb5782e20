#include "korder/api/field_errors.h"

#include <catch2/catch.hpp>

#include "korder/api/names.h"

namespace korder::api {
namespace {

TEST_CASE("field error constructors print Kubernetes' field.Error wording", "[unit][validation]") {
  struct Row {
    FieldError error;
    FieldError::Type type;
    const char* text;
  };
  const Row rows[] = {
      {field_invalid_int("spec.replicas", -1, kIsNegativeErrorMsg), FieldError::Type::Invalid,
       "spec.replicas: Invalid value: -1: must be greater than or equal to 0"},
      {field_invalid_printed("spec.resources.requests[nvidia.com/gpu]", "500m",
                             "must be an integer"),
       FieldError::Type::Invalid,
       "spec.resources.requests[nvidia.com/gpu]: Invalid value: 500m: must be an integer"},
      {field_invalid("spec", "object", kFieldImmutableErrorMsg), FieldError::Type::Invalid,
       "spec: Invalid value: \"object\": field is immutable"},
      {field_required("spec.template.spec.duration"), FieldError::Type::Required,
       "spec.template.spec.duration: Required value"},
      {field_required("metadata.name", "name or generateName is required"),
       FieldError::Type::Required,
       "metadata.name: Required value: name or generateName is required"},
      {field_forbidden("metadata.namespace", "not allowed on this type"),
       FieldError::Type::Forbidden, "metadata.namespace: Forbidden: not allowed on this type"},
      {field_not_supported("spec.strategy.type", "Weekly", {"OneTime", "Recurring", "Scheduled"}),
       FieldError::Type::NotSupported,
       "spec.strategy.type: Unsupported value: \"Weekly\": supported values: \"OneTime\", "
       "\"Recurring\", \"Scheduled\""},
      {field_not_supported("x", "y", {}), FieldError::Type::NotSupported,
       "x: Unsupported value: \"y\""},
      {field_duplicate("spec.scope.namespaces[1]", "team-a"), FieldError::Type::Duplicate,
       "spec.scope.namespaces[1]: Duplicate value: \"team-a\""},
      {field_too_long("metadata.annotations", 262144), FieldError::Type::TooLong,
       "metadata.annotations: Too long: must have at most 262144 bytes"},
      {field_invalid_int("spec.maxSkew", 0, kIsNotPositiveErrorMsg), FieldError::Type::Invalid,
       "spec.maxSkew: Invalid value: 0: must be greater than zero"},
  };
  for (const auto& row : rows) {
    CHECK(row.error.to_string() == row.text);
    CHECK(row.error.type == row.type);
  }
}

TEST_CASE("values in field errors are quoted like Go's %q", "[unit][validation]") {
  CHECK(field_not_supported("f", "a\"b\n", {"x"}).to_string() ==
        "f: Unsupported value: \"a\\\"b\\n\": supported values: \"x\"");
  CHECK(field_duplicate("f", "tab\there").to_string() == "f: Duplicate value: \"tab\\there\"");
}

TEST_CASE("field paths are built like field.Path's Child, Index and Key", "[unit][validation]") {
  CHECK(child_path("", "spec") == "spec");
  CHECK(child_path("spec", "template") == "spec.template");
  CHECK(index_path("spec.tolerations", 3) == "spec.tolerations[3]");
  CHECK(key_path("spec.hard", "reserved.nvidia.com/gpu") == "spec.hard[reserved.nvidia.com/gpu]");
}

TEST_CASE("append_errors keeps the errors already collected and adds the new ones in order",
          "[unit][validation]") {
  FieldErrors errors = {field_required("a")};
  append_errors(errors, {field_required("b"), field_required("c")});
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].field == "a");
  CHECK(errors[2].field == "c");
}

}  // namespace
}  // namespace korder::api
