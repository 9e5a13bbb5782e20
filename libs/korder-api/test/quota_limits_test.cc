#include "korder/api/quota_limits.h"

#include <catch2/catch.hpp>

#include "validation_test_support.h"

namespace korder::api {
namespace {

using testing::messages;
using testing::Messages;
using testing::qty;

const std::string kQuantityRegexMsg =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

TEST_CASE("quota limits parse into counts, quantities and a duration", "[unit][validation]") {
  const QuotaLimits limits = {{"orders", "10"},
                              {"tickets", " 50 "},
                              {"reserved.cpu", "20"},
                              {"reserved.memory", "40Gi"},
                              {"reserved.nvidia.com/gpu", "8"},
                              {"reserved.hugepages-2Mi", "1Gi"},
                              {"max-duration", "24h"}};
  auto parsed = parse_quota_limits(limits, "spec.hard");
  REQUIRE(parsed.has_value());
  CHECK(parsed->orders == 10);
  CHECK(parsed->tickets == 50);
  REQUIRE(parsed->reserved.size() == 4);
  CHECK(parsed->reserved.at("cpu") == qty("20"));
  CHECK(parsed->reserved.at("memory") == qty("40Gi"));
  CHECK(parsed->reserved.at("nvidia.com/gpu") == qty("8"));
  CHECK(parsed->reserved.at("hugepages-2Mi") == qty("1Gi"));
  REQUIRE(parsed->max_duration.has_value());
  CHECK(parsed->max_duration->count() == 24LL * 3600 * 1000000000);
}

TEST_CASE("an empty limit map parses to nothing set", "[unit][validation]") {
  auto parsed = parse_quota_limits({}, "spec.hard");
  REQUIRE(parsed.has_value());
  CHECK(*parsed == ParsedQuotaLimits{});
}

TEST_CASE("orders and tickets accept whole quantities and reject fractions", "[unit][validation]") {
  struct Row {
    const char* text;
    std::optional<std::int64_t> value;
    const char* error;
  };
  const Row rows[] = {
      {"0", 0, nullptr},
      {"10", 10, nullptr},
      {"1k", 1000, nullptr},
      {"2e1", 20, nullptr},
      {"1000m", 1, nullptr},
      {"9223372036854775807", 9223372036854775807LL, nullptr},
      {"1.5", std::nullopt, "spec.hard[orders]: Invalid value: \"1.5\": must be an integer"},
      {"500m", std::nullopt, "spec.hard[orders]: Invalid value: \"500m\": must be an integer"},
      {"-1", std::nullopt,
       "spec.hard[orders]: Invalid value: \"-1\": must be greater than or equal to 0"},
      {"9223372036854775808", std::nullopt,
       "spec.hard[orders]: Invalid value: \"9223372036854775808\": must be less than or equal "
       "to 9223372036854775807"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto parsed = parse_quota_limits({{"orders", row.text}}, "spec.hard");
    if (row.value) {
      REQUIRE(parsed.has_value());
      CHECK(parsed->orders == *row.value);
    } else {
      REQUIRE_FALSE(parsed.has_value());
      CHECK(messages(parsed.error()) == Messages{row.error});
    }
  }
  auto ten = parse_quota_limits({{"orders", "ten"}}, "spec.hard");
  REQUIRE_FALSE(ten.has_value());
  CHECK(messages(ten.error()) ==
        Messages{"spec.hard[orders]: Invalid value: \"ten\": " + kQuantityRegexMsg});
}

TEST_CASE("quota limit keys are checked and every bad entry is reported", "[unit][validation]") {
  const QuotaLimits limits = {{"foo", "1"},
                              {"reserved.cpu", "-1"},
                              {"reserved.pods", "10"},
                              {"reserved.requests.foo/bar", "1"},
                              {"reserved.memory", "1Gii"},
                              {"max-duration", "3x"},
                              {"tickets", "0.5"}};
  auto parsed = parse_quota_limits(limits, "spec.timeWindows[0].hard");
  REQUIRE_FALSE(parsed.has_value());
  const std::string p = "spec.timeWindows[0].hard";
  CHECK(messages(parsed.error()) ==
        Messages{
            p + "[foo]: Unsupported value: \"foo\": supported values: \"max-duration\", "
                "\"orders\", \"reserved.<resource>\", \"tickets\"",
            p + "[max-duration]: Invalid value: \"3x\": time: unknown unit \"x\" in duration "
                "\"3x\"",
            p + "[reserved.cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
            p + "[reserved.memory]: Invalid value: \"1Gii\": unable to parse quantity's suffix",
            p + "[reserved.pods]: Invalid value: \"reserved.pods\": resource name \"pods\": must "
                "be a standard resource for containers",
            p + "[reserved.requests.foo/bar]: Invalid value: \"reserved.requests.foo/bar\": "
                "resource name \"requests.foo/bar\": doesn't follow extended resource name "
                "standard",
            p + "[tickets]: Invalid value: \"0.5\": must be an integer",
        });
}

TEST_CASE("max-duration must be a positive Go duration", "[unit][validation]") {
  const std::pair<const char*, const char*> rows[] = {
      {"0s", "spec.hard[max-duration]: Invalid value: \"0s\": must be greater than zero"},
      {"-1h", "spec.hard[max-duration]: Invalid value: \"-1h\": must be greater than zero"},
      {"", "spec.hard[max-duration]: Required value"},
      {"24",
       "spec.hard[max-duration]: Invalid value: \"24\": time: missing unit in duration "
       "\"24\""},
  };
  for (const auto& [text, error] : rows) {
    INFO(text);
    auto parsed = parse_quota_limits({{"max-duration", text}}, "spec.hard");
    REQUIRE_FALSE(parsed.has_value());
    CHECK(messages(parsed.error()) == Messages{error});
  }
  CHECK(parse_quota_limits({{"max-duration", "1h30m"}}, "spec.hard").has_value());
}

TEST_CASE("limits print in canonical form and parse back to the same values",
          "[unit][validation]") {
  const QuotaLimits limits = {{"orders", "1k"},
                              {"tickets", " 50"},
                              {"reserved.cpu", "20000m"},
                              {"reserved.memory", "40960Mi"},
                              {"reserved.nvidia.com/gpu", "8"},
                              {"max-duration", "24h"}};
  auto parsed = parse_quota_limits(limits, "spec.hard");
  REQUIRE(parsed.has_value());
  const QuotaLimits canonical = to_quota_limits(*parsed);
  CHECK(canonical == QuotaLimits{{"orders", "1000"},
                                 {"tickets", "50"},
                                 {"reserved.cpu", "20"},
                                 {"reserved.memory", "40Gi"},
                                 {"reserved.nvidia.com/gpu", "8"},
                                 {"max-duration", "24h0m0s"}});
  auto again = parse_quota_limits(canonical, "spec.hard");
  REQUIRE(again.has_value());
  CHECK(*again == *parsed);
  CHECK(to_quota_limits(ParsedQuotaLimits{}).empty());
}

TEST_CASE("a multiplier is a positive decimal of digits and one point", "[unit][validation]") {
  const std::pair<const char*, const char*> good[] = {
      {"1.5", "1500m"},
      {"2", "2"},
      {".5", "500m"},
      {"2.", "2"},
      {"0.25", "250m"},
      {"10", "10"},
      {"1.000000001", "1000000001n"},
  };
  for (const auto& [text, canonical] : good) {
    INFO(text);
    auto m = parse_multiplier(text);
    REQUIRE(m.has_value());
    CHECK(m->to_string() == canonical);
  }
  const std::string kGrammar =
      "must be a decimal number of digits and at most one '.' (e.g. 1.5 or 2)";
  const std::pair<const char*, std::string> bad[] = {
      {"", kGrammar},
      {".", kGrammar},
      {"1.2.3", kGrammar},
      {"-1", kGrammar},
      {"+1", kGrammar},
      {"1e3", kGrammar},
      {"1Ki", kGrammar},
      {"1.5x", kGrammar},
      {" 1", kGrammar},
      {"1.0000000001", "must have at most 9 digits after the decimal point"},
      {"0", "must be greater than zero"},
      {"0.000", "must be greater than zero"},
  };
  for (const auto& [text, error] : bad) {
    INFO(text);
    auto m = parse_multiplier(text);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().message == error);
    CHECK(m.error().where.empty());
  }
}

}  // namespace
}  // namespace korder::api
