#include "korder/base/error.h"

#include <catch2/catch.hpp>

#include "korder/base/expected.h"

namespace korder {
namespace {

TEST_CASE("a parse error names its place before its message", "[unit]") {
  CHECK(ParseError{"invalid duration \"3x\"", "spec.template.spec.duration"}.to_string() ==
        "spec.template.spec.duration: invalid duration \"3x\"");
  CHECK(ParseError{"bad", ""}.to_string() == "bad");
}

TEST_CASE("a parse error gains context as it travels up", "[unit]") {
  CHECK(ParseError{"bad", "duration"}.at("spec").where == "spec.duration");
  CHECK(ParseError{"bad", "[2]"}.at("spec.containers").where == "spec.containers[2]");
  CHECK(ParseError{"bad", ""}.at("spec").where == "spec");
}

TEST_CASE("field errors join with semicolons", "[unit]") {
  FieldErrors errs{{FieldError::Type::Required, "spec.a", "Required value"},
                   {FieldError::Type::Invalid, "spec.b", "bad"}};
  CHECK(to_string(errs) == "spec.a: Required value; spec.b: bad");
}

TEST_CASE("expected holds either a value or an error", "[unit]") {
  Expected<int, ParseError> ok = 3;
  Expected<int, ParseError> bad = Unexpected(ParseError{"no", "x"});
  REQUIRE(ok.has_value());
  CHECK(*ok == 3);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().where == "x");
  CHECK(bad.value_or(7) == 7);
  Expected<void, ParseError> done;
  CHECK(done.has_value());
  Expected<void, ParseError> failed = Unexpected(ParseError{"no", ""});
  CHECK_FALSE(failed.has_value());
}

}  // namespace
}  // namespace korder
