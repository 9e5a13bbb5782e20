#include "korder/api/quantity.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

// Expected values come from Kubernetes' own tables in
// k8s.io/apimachinery/pkg/api/resource/quantity_test.go (TestQuantityParse,
// TestQuantityParseEmit, TestQuantityString, TestNewSet, TestMilliNewSet, TestQuantityCmp),
// rewritten as nano-unit counts.

namespace korder::api {
namespace {

using Format = Quantity::Format;

constexpr Int128 kUnit = 1'000'000'000;

// mantissa x 10^exponent units, as a count of nano-units (exponent >= -9).
constexpr Int128 scaled(std::int64_t mantissa, int exponent) {
  Int128 out = mantissa;
  for (int i = -9; i < exponent; ++i) {
    out *= 10;
  }
  return out;
}

constexpr Int128 kInt64MaxNanos =
    static_cast<Int128>(std::numeric_limits<std::int64_t>::max()) * kUnit;
constexpr Int128 kMaxNanos = ((Int128{1} << 126) - 1) * 2 + 1;  // 2^127 - 1

std::string describe(Int128 v) {
  if (v == 0) {
    return "0";
  }
  const bool negative = v < 0;
  std::string digits;
  while (v != 0) {
    const int digit = static_cast<int>(v % 10);
    digits.insert(digits.begin(), static_cast<char>('0' + (digit < 0 ? -digit : digit)));
    v /= 10;
  }
  return (negative ? "-" : "") + digits;
}

Quantity must_parse(std::string_view text) {
  auto q = Quantity::parse(text);
  INFO("parsing " << text);
  REQUIRE(q.has_value());
  return *q;
}

struct ParseCase {
  std::string_view input;
  Int128 nanos;
  Format format;
};

// Kubernetes' TestQuantityParse table, every row.
constexpr ParseCase kParseCases[] = {
    {"0", 0, Format::DecimalSI},
    {"0n", 0, Format::DecimalSI},
    {"0u", 0, Format::DecimalSI},
    {"0m", 0, Format::DecimalSI},
    {"0Ki", 0, Format::BinarySI},
    {"0k", 0, Format::DecimalSI},
    {"0Mi", 0, Format::BinarySI},
    {"0M", 0, Format::DecimalSI},
    {"0Gi", 0, Format::BinarySI},
    {"0G", 0, Format::DecimalSI},
    {"0Ti", 0, Format::BinarySI},
    {"0T", 0, Format::DecimalSI},
    // Quantity-less numbers are allowed.
    {"1", scaled(1, 0), Format::DecimalSI},
    // Binary suffixes.
    {"1Ki", scaled(1024, 0), Format::BinarySI},
    {"8Ki", scaled(8 * 1024, 0), Format::BinarySI},
    {"7Mi", scaled(7LL << 20, 0), Format::BinarySI},
    {"6Gi", scaled(6LL << 30, 0), Format::BinarySI},
    {"5Ti", scaled(5LL << 40, 0), Format::BinarySI},
    {"4Pi", scaled(4LL << 50, 0), Format::BinarySI},
    {"3Ei", scaled(3LL << 60, 0), Format::BinarySI},
    {"10Ti", scaled(10LL << 40, 0), Format::BinarySI},
    {"100Ti", scaled(100LL << 40, 0), Format::BinarySI},
    // Decimal suffixes.
    {"5n", scaled(5, -9), Format::DecimalSI},
    {"4u", scaled(4, -6), Format::DecimalSI},
    {"3m", scaled(3, -3), Format::DecimalSI},
    {"9", scaled(9, 0), Format::DecimalSI},
    {"8k", scaled(8, 3), Format::DecimalSI},
    {"50k", scaled(5, 4), Format::DecimalSI},
    {"7M", scaled(7, 6), Format::DecimalSI},
    {"6G", scaled(6, 9), Format::DecimalSI},
    {"5T", scaled(5, 12), Format::DecimalSI},
    {"40T", scaled(4, 13), Format::DecimalSI},
    {"300T", scaled(3, 14), Format::DecimalSI},
    {"2P", scaled(2, 15), Format::DecimalSI},
    {"1E", scaled(1, 18), Format::DecimalSI},
    // Decimal exponents.
    {"1E-3", scaled(1, -3), Format::DecimalExponent},
    {"1e3", scaled(1, 3), Format::DecimalExponent},
    {"1E6", scaled(1, 6), Format::DecimalExponent},
    {"1e9", scaled(1, 9), Format::DecimalExponent},
    {"1E12", scaled(1, 12), Format::DecimalExponent},
    {"1e15", scaled(1, 15), Format::DecimalExponent},
    {"1E18", scaled(1, 18), Format::DecimalExponent},
    // Nonstandard but still parsable.
    {"1e14", scaled(1, 14), Format::DecimalExponent},
    {"1e13", scaled(1, 13), Format::DecimalExponent},
    {"100.035k", scaled(100035, 0), Format::DecimalSI},
    // Things that look like floating point.
    {"0.001", scaled(1, -3), Format::DecimalSI},
    {"0.0005k", scaled(5, -1), Format::DecimalSI},
    {"0.005", scaled(5, -3), Format::DecimalSI},
    {"0.05", scaled(5, -2), Format::DecimalSI},
    {"0.5", scaled(5, -1), Format::DecimalSI},
    {"0.00050k", scaled(5, -1), Format::DecimalSI},
    {"0.00500", scaled(5, -3), Format::DecimalSI},
    {"0.05000", scaled(5, -2), Format::DecimalSI},
    {"0.50000", scaled(5, -1), Format::DecimalSI},
    {"0.5e0", scaled(5, -1), Format::DecimalExponent},
    {"0.5e-1", scaled(5, -2), Format::DecimalExponent},
    {"0.5e-2", scaled(5, -3), Format::DecimalExponent},
    {"10.035M", scaled(10035, 3), Format::DecimalSI},
    {"1.2e3", scaled(12, 2), Format::DecimalExponent},
    {"1.3E+6", scaled(13, 5), Format::DecimalExponent},
    {"1.40e9", scaled(14, 8), Format::DecimalExponent},
    {"1.53E12", scaled(153, 10), Format::DecimalExponent},
    {"1.6e15", scaled(16, 14), Format::DecimalExponent},
    {"1.7E18", scaled(17, 17), Format::DecimalExponent},
    {"9.01", scaled(901, -2), Format::DecimalSI},
    {"8.1k", scaled(81, 2), Format::DecimalSI},
    {"7.123456M", scaled(7123456, 0), Format::DecimalSI},
    {"6.987654321G", scaled(6987654321, 0), Format::DecimalSI},
    {"5.444T", scaled(5444, 9), Format::DecimalSI},
    {"40.1T", scaled(401, 11), Format::DecimalSI},
    {"300.2T", scaled(3002, 11), Format::DecimalSI},
    {"2.5P", scaled(25, 14), Format::DecimalSI},
    {"1.01E", scaled(101, 16), Format::DecimalSI},
    // Things that saturate or round (up, below nano).
    {"3.001n", scaled(4, -9), Format::DecimalSI},
    {"1.1E-9", scaled(2, -9), Format::DecimalExponent},
    {"0.0000000001", scaled(1, -9), Format::DecimalSI},
    {"0.0000000005", scaled(1, -9), Format::DecimalSI},
    {"0.00000000050", scaled(1, -9), Format::DecimalSI},
    {"0.5e-9", scaled(1, -9), Format::DecimalExponent},
    {"0.9n", scaled(1, -9), Format::DecimalSI},
    {"0.00000012345", scaled(124, -9), Format::DecimalSI},
    {"0.00000012354", scaled(124, -9), Format::DecimalSI},
    {"9Ei", kInt64MaxNanos, Format::BinarySI},
    {"9223372036854775807Ki", kInt64MaxNanos, Format::BinarySI},
    {"12E", scaled(12, 0) * 1'000'000'000'000'000'000, Format::DecimalSI},
    // Fractional binary values.
    {"100.035Ki", scaled(10243584, -2), Format::BinarySI},
    {"0.5Mi", scaled(512 * 1024, 0), Format::BinarySI},
    {"0.05Gi", scaled(536870912, -1), Format::BinarySI},
    {"0.025Ti", scaled(274877906944, -1), Format::BinarySI},
    // "Things written by trolls".
    {"0.000000000001Ki", scaled(2, -9), Format::DecimalSI},  // rounds up, changes format
    {".001", scaled(1, -3), Format::DecimalSI},
    {".0001k", scaled(100, -3), Format::DecimalSI},
    {"1.", scaled(1, 0), Format::DecimalSI},
    {"1.G", scaled(1, 9), Format::DecimalSI},
};

TEST_CASE("quantities parse to Kubernetes' exact values and formats", "[unit][quantity]") {
  for (const auto& c : kParseCases) {
    for (const std::string_view sign : {"", "+", "-"}) {
      const std::string input = std::string(sign) + std::string(c.input);
      const Int128 expected = sign == "-" ? -c.nanos : c.nanos;
      DYNAMIC_SECTION(input) {
        const Quantity q = must_parse(input);
        CHECK(describe(q.nanos()) == describe(expected));
        CHECK(q.format() == c.format);
      }
    }
  }
}

struct EmitCase {
  std::string_view input;
  std::string_view canonical;
};

// Parsed text -> Kubernetes' String(). From TestQuantityParseEmit, the canonical and alternate
// columns of TestQuantityString, and the examples of korder's design.
constexpr EmitCase kEmitCases[] = {
    {"1Ki", "1Ki"},
    {"1Mi", "1Mi"},
    {"1Gi", "1Gi"},
    {"1024Mi", "1Gi"},
    {"1000M", "1G"},
    {".001Ki", "1024m"},
    {".000001Ki", "1024u"},
    {".000000001Ki", "1024n"},
    {".000000000001Ki", "2n"},
    {"300Mi", "300Mi"},
    {"307200Ki", "300Mi"},
    {"6Ki", "6Ki"},
    {"1001Gi", "1001Gi"},
    {"1025024Mi", "1001Gi"},
    {"1Ti", "1Ti"},
    {"1024Gi", "1Ti"},
    {"5", "5"},
    {"5000m", "5"},
    {"500m", "500m"},
    {"0.5", "500m"},
    {"1G", "1G"},
    {"0.001T", "1G"},
    {"1m", "1m"},
    {"1000u", "1m"},
    {"80m", "80m"},
    {"1080m", "1080m"},
    {"1.08", "1080m"},
    {"1080000000n", "1080m"},
    {"300M", "300M"},
    {"1T", "1T"},
    {"1E", "1E"},
    {"1e21", "1e21"},
    {"1000E", "1e21"},
    {"5000E", "5e21"},
    {"1000000E", "1e24"},
    {"1234567M", "1234567M"},
    {"3k", "3k"},
    {"1025", "1025"},
    {"0", "0"},
    {"00", "0"},
    {"1e9", "1e9"},
    {".001e12", "1e9"},
    {"1e-3", "1e-3"},
    {"0.001e0", "1e-3"},
    {"1e-9", "1e-9"},
    {"1000e-12", "1e-9"},
    {"80e-3", "80e-3"},
    {"300e6", "300e6"},
    {"1e12", "1e12"},
    {"1e3", "1e3"},
    {"3e3", "3e3"},
    {"1n", "1n"},
    {"80n", "80n"},
    {"1080n", "1080n"},
    {"1u", "1u"},
    {"80u", "80u"},
    {"1080u", "1080u"},
    // korder's design examples.
    {"1.5", "1500m"},
    {"0.1", "100m"},
    {"1536Mi", "1536Mi"},
    {"1.5Gi", "1536Mi"},
    {"0.5Gi", "512Mi"},
    {"2e3", "2e3"},
    {"1.2e3", "1200"},
    {"1k", "1k"},
    {"1000", "1k"},
    {"100m", "100m"},
    {"1000m", "1"},
    {"1.5Ki", "1536"},
    {"0.5Ki", "512"},
    {"1e0", "1"},
    {"12E", "12E"},
    {"9Ei", "9223372036854775807"},
    {"0Gi", "0"},
};

TEST_CASE("the common forms parse exactly as the general path does", "[unit][quantity]") {
  // A leading '+' sends the same quantity through the general path (the direct one takes only
  // unsigned digits and a suffix): value, format and printed form must all agree.
  const std::vector<std::string> values = {"0",
                                           "00",
                                           "1",
                                           "007",
                                           "9",
                                           "10",
                                           "99",
                                           "100",
                                           "512",
                                           "1000",
                                           "1023",
                                           "1024",
                                           "123456789",
                                           "4096",
                                           "999999999999999",
                                           "9999999999999999",
                                           "123456789012345678901"};
  const std::vector<std::string> suffixes = {"",  "m", "k", "M",  "G",  "Ki", "Mi", "Gi", "Ti",
                                             "T", "P", "E", "Pi", "Ei", "u",  "n",  "e3", "K"};
  int checked = 0;
  for (const std::string& value : values) {
    for (const std::string& suffix : suffixes) {
      const std::string text = value + suffix;
      INFO(text);
      const auto direct = Quantity::parse(text);
      const auto general = Quantity::parse("+" + text);
      REQUIRE(direct.has_value() == general.has_value());
      if (direct) {
        CHECK(direct->nanos() == general->nanos());
        CHECK(direct->format() == general->format());
        CHECK(direct->to_string() == general->to_string());
        ++checked;
      } else {
        CHECK(direct.error().message == std::string(general.error().message)
                                            .replace(general.error().message.find("\"+"), 2, "\""));
      }
    }
  }
  CHECK(checked > 250);
}

TEST_CASE("a parsed quantity prints in Kubernetes' canonical form", "[unit][quantity]") {
  for (const auto& c : kEmitCases) {
    DYNAMIC_SECTION(c.input << " -> " << c.canonical) {
      CHECK(must_parse(c.input).to_string() == c.canonical);
      if (c.canonical != "0") {
        CHECK(must_parse("-" + std::string(c.input)).to_string() == "-" + std::string(c.canonical));
      }
      // The canonical form parses back to the same value and prints the same again.
      const Quantity again = must_parse(c.canonical);
      CHECK(again == must_parse(c.input));
      CHECK(again.to_string() == c.canonical);
    }
  }
}

TEST_CASE("a quantity of 1.5 prints as 1500m and equals 1500m", "[unit][quantity]") {
  const Quantity q = must_parse("1.5");
  CHECK(q.to_string() == "1500m");
  CHECK(q == must_parse("1500m"));
  CHECK(q.nanos() == 1'500'000'000);
}

TEST_CASE("quantities built from integers print as Kubernetes' NewQuantity does",
          "[unit][quantity]") {
  CHECK(Quantity::from_int(1).to_string() == "1");
  CHECK(Quantity::from_int(1000).to_string() == "1k");
  CHECK(Quantity::from_int(1234000).to_string() == "1234k");
  CHECK(Quantity::from_int(1024, Format::BinarySI).to_string() == "1Ki");
  CHECK(Quantity::from_int(1000000, Format::DecimalExponent).to_string() == "1e6");
  CHECK(Quantity::from_int(1024 * 1024, Format::BinarySI).to_string() == "1Mi");
  CHECK(Quantity::from_int(-3).to_string() == "-3");
  CHECK(Quantity::from_int(0, Format::BinarySI).to_string() == "0");
}

TEST_CASE("quantities built from milli-units print as Kubernetes' NewMilliQuantity does",
          "[unit][quantity]") {
  CHECK(Quantity::from_milli(1).to_string() == "1m");
  CHECK(Quantity::from_milli(1000).to_string() == "1");
  CHECK(Quantity::from_milli(1234000).to_string() == "1234");
  CHECK(Quantity::from_milli(1024, Format::BinarySI).to_string() == "1024m");
  CHECK(Quantity::from_milli(1000000, Format::DecimalExponent).to_string() == "1e3");
  CHECK(Quantity::from_milli(1024 * 1024, Format::BinarySI).to_string() == "1048576m");
  CHECK(Quantity::from_milli(1234567, Format::BinarySI).to_string() == "1234567m");
  CHECK(Quantity::from_milli(1500).milli_value() == 1500);
}

struct ErrorCase {
  std::string_view input;
  std::string_view message;
};

constexpr std::string_view kRegexpReason =
    ": quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kSuffixReason = ": unable to parse quantity's suffix";

TEST_CASE("a malformed quantity is an error naming the input and Kubernetes' reason",
          "[unit][quantity]") {
  const ErrorCase cases[] = {
      // Kubernetes' invalid list.
      {"1.1.M", "regexp"},
      {"1+1.0M", "regexp"},
      {"0.1mi", "suffix"},
      {"0.1am", "regexp"},
      {"aoeu", "regexp"},
      {".5i", "suffix"},
      {"1i", "suffix"},
      {"-3.01i", "suffix"},
      {"-3.01e-", "suffix"},
      {" 1", "regexp"},  // whitespace is forbidden by ParseQuantity
      {"1 ", "regexp"},
      // More.
      {"", "regexp"},
      {" ", "regexp"},
      {"12x", "regexp"},
      {"--1", "suffix"},
      {"1.2.3", "regexp"},
      {"1Gii", "suffix"},
      {"1 Gi", "regexp"},
      {"1K", "suffix"},
      {"1e", "suffix"},
      {"1e3Ki", "regexp"},
      {"Non-Numeric", "regexp"},
      {"1e99999999999999999999", "suffix"},  // exponent beyond int64, as strconv.ParseInt
      {"500m\n", "regexp"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION('"' << c.input << '"') {
      const auto q = Quantity::parse(c.input);
      REQUIRE_FALSE(q.has_value());
      std::string quoted = "\"";
      for (const char ch : c.input) {
        if (ch == '\n') {
          quoted += "\\x0a";
        } else {
          quoted.push_back(ch);
        }
      }
      quoted += "\"";
      const std::string reason(c.message == "regexp" ? kRegexpReason : kSuffixReason);
      CHECK(q.error().message == "invalid quantity " + quoted + reason);
      CHECK(q.error().where.empty());
    }
  }
}

TEST_CASE("a quantity beyond the 128-bit range is rejected, never wrapped", "[unit][quantity]") {
  const std::string_view too_large[] = {
      "1e30",
      "170141183460469231731687303715.884105728",  // 2^127 nanos
      "-170141183460469231731687303715.884105728",
      "1234567890123456789012345678901",
      "1e4294967296",  // Kubernetes truncates this exponent to int32 and reads 1
      "1000000000000E",
  };
  for (const auto text : too_large) {
    DYNAMIC_SECTION(text) {
      const auto q = Quantity::parse(text);
      REQUIRE_FALSE(q.has_value());
      CHECK_THAT(q.error().message,
                 Catch::StartsWith("invalid quantity \"" + std::string(text) + "\": out of range"));
    }
  }
  // The largest magnitudes still parse exactly.
  CHECK(must_parse("170141183460469231731687303715.884105727").nanos() == kMaxNanos);
  CHECK(must_parse("-170141183460469231731687303715.884105727").nanos() == -kMaxNanos);
  CHECK(must_parse("123456789012345678901234567890").to_string() ==
        "123456789012345678901234567890");
}

TEST_CASE("a binary quantity above 2^63-1 is capped there as Kubernetes does", "[unit][quantity]") {
  for (const std::string_view text : {"9Ei", "8Ei", "9223372036854775807Ki",
                                      "99999999999999999999999999999999999999999Ki", "16.5Ei"}) {
    DYNAMIC_SECTION(text) {
      const Quantity q = must_parse(text);
      CHECK(q.nanos() == kInt64MaxNanos);
      CHECK(q.format() == Format::BinarySI);
      CHECK(q.to_string() == "9223372036854775807");
      CHECK(must_parse("-" + std::string(text)).nanos() == -kInt64MaxNanos);
    }
  }
  CHECK(must_parse("7Ei").to_string() == "7Ei");
}

TEST_CASE("precision below nano rounds away from zero, as Kubernetes does", "[unit][quantity]") {
  CHECK(must_parse("0.9n").to_string() == "1n");
  CHECK(must_parse("-0.9n").to_string() == "-1n");
  CHECK(must_parse("3.001n").to_string() == "4n");
  CHECK(must_parse("-3.001n").to_string() == "-4n");
  CHECK(must_parse("1e-100").to_string() == "1e-9");
  CHECK(must_parse("1e-4294967296").nanos() == 1);
  // Long inputs take the arbitrary-precision path.
  CHECK(must_parse("0.0000000000000000000000000000000000000000001").to_string() == "1n");
  CHECK(must_parse("1.00000000000000000000000000001").to_string() == "1000000001n");
  CHECK(must_parse("1.0000000000000000000001Ki").to_string() == "1024000000001n");
  CHECK(must_parse("0.000000000000000000000000000000000000000000").is_zero());
}

TEST_CASE("a lone sign or point parses as zero, as Kubernetes' scanner does", "[unit][quantity]") {
  for (const std::string_view text : {"-", "+", ".", "-.", "+.", "-0", "000", "0.0"}) {
    DYNAMIC_SECTION(text) {
      const Quantity q = must_parse(text);
      CHECK(q.is_zero());
      CHECK(q.to_string() == "0");
    }
  }
}

TEST_CASE("parse_trimmed ignores whitespace around the text as UnmarshalJSON does",
          "[unit][quantity]") {
  CHECK(Quantity::parse_trimmed(" 1").value().to_string() == "1");
  CHECK(Quantity::parse_trimmed("1 ").value().to_string() == "1");
  CHECK(Quantity::parse_trimmed(" -1").value().to_string() == "-1");
  CHECK(Quantity::parse_trimmed("\t500m\r\n").value().to_string() == "500m");
  const auto blank = Quantity::parse_trimmed("   ");
  REQUIRE_FALSE(blank.has_value());
  CHECK_THAT(blank.error().message, Catch::StartsWith("invalid quantity \"   \": quantities must"));
  const auto inner = Quantity::parse_trimmed(" 1 Gi ");
  REQUIRE_FALSE(inner.has_value());
  CHECK_THAT(inner.error().message, Catch::StartsWith("invalid quantity \" 1 Gi \": quantities"));
}

TEST_CASE("quantities compare by value whatever their format", "[unit][quantity]") {
  CHECK(must_parse("0") == must_parse("0"));
  CHECK(must_parse("100m") > must_parse("50m"));
  CHECK(must_parse("50m") < must_parse("100m"));
  CHECK(must_parse("10000T") > must_parse("100Gi"));
  CHECK(must_parse("1Gi") == must_parse("1024Mi"));
  CHECK(must_parse("1Gi") == must_parse("1073741824"));
  CHECK(must_parse("1k") == must_parse("1e3"));
  CHECK(must_parse("-1") < must_parse("1n"));
  CHECK(must_parse("1Ki").sign() == 1);
  CHECK(must_parse("-1m").sign() == -1);
  CHECK(must_parse("0Ki").sign() == 0);
}

TEST_CASE("adding and subtracting quantities is exact and keeps the format", "[unit][quantity]") {
  CHECK((must_parse("100m") + must_parse("50m")).to_string() == "150m");
  CHECK((must_parse("1Gi") + must_parse("512Mi")).to_string() == "1536Mi");
  CHECK((must_parse("1Gi") - must_parse("512Mi")).to_string() == "512Mi");
  CHECK((must_parse("1") - must_parse("1500m")).to_string() == "-500m");
  CHECK((must_parse("2e3") + must_parse("1k")).to_string() == "3e3");
  // Kubernetes' TestQuantityAddZeroPreservesSuffix and TestQuantitySubZeroPreservesSuffix.
  const Quantity zero = must_parse("0");
  for (const std::string_view text : {"100m", "1Gi"}) {
    DYNAMIC_SECTION(text) {
      const Quantity value = must_parse(text);
      CHECK((value + zero).to_string() == text);
      CHECK((zero + value).to_string() == text);
      CHECK((value - zero).to_string() == text);
      CHECK((zero - value).to_string() == "-" + std::string(text));
    }
  }
  Quantity total;
  total += must_parse("250m");
  total += must_parse("750m");
  total -= must_parse("500m");
  CHECK(total.to_string() == "500m");
}

TEST_CASE("10000 times 1Ti sums exactly and prints as 10000Ti", "[unit][quantity]") {
  const Quantity tebibyte = must_parse("1Ti");
  Quantity sum;
  for (int i = 0; i < 10'000; ++i) {
    const auto next = sum.checked_add(tebibyte);
    REQUIRE(next.has_value());
    sum = *next;
  }
  CHECK(sum.to_string() == "10000Ti");
  CHECK(sum.format() == Format::BinarySI);
  CHECK(sum.nanos() == static_cast<Int128>(10'000) * (Int128{1} << 40) * kUnit);
  CHECK(sum == tebibyte.checked_mul(10'000).value());
  CHECK(sum.value() == 10'000LL << 40);
}

TEST_CASE("a binary quantity beyond the Ei suffix keeps its value when printed",
          "[unit][quantity]") {
  const Quantity exbibyte = must_parse("1Ei");
  CHECK(exbibyte.checked_mul(1024).value().to_string() == "1024Ei");
  CHECK(exbibyte.checked_mul(2048).value().to_string() == "2048Ei");
  CHECK(exbibyte.checked_mul(16).value().to_string() == "16Ei");
}

TEST_CASE("multiplying by an integer is exact", "[unit][quantity]") {
  CHECK(must_parse("500m").checked_mul(3).value().to_string() == "1500m");
  CHECK(must_parse("1Gi").checked_mul(-2).value().to_string() == "-2Gi");
  CHECK(must_parse("1Gi").checked_mul(0).value().is_zero());
  CHECK(must_parse("3e3").checked_mul(2).value().to_string() == "6e3");
}

TEST_CASE("multiplying by a decimal factor is exact and rounds up below nano", "[unit][quantity]") {
  struct Case {
    std::string_view value;
    std::string_view factor;
    std::string_view product;
  };
  const Case cases[] = {
      {"500m", "1.5", "750m"},
      {"1Gi", "1.5", "1536Mi"},
      {"1Gi", "0.5", "512Mi"},
      {"4", "250m", "1"},
      {"1n", "0.5", "1n"},
      {"-1n", "0.5", "-1n"},
      {"1n", "-0.5", "-1n"},
      {"3", "0.333333333", "999999999n"},
      {"1Ti", "10k", "10000Ti"},
      {"2", "0", "0"},
      {"123456789.123456789", "1000000.000000001", "123456789123456912456790n"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.value << " x " << c.factor) {
      const auto product = must_parse(c.value).checked_mul(must_parse(c.factor));
      REQUIRE(product.has_value());
      CHECK(product->to_string() == c.product);
      CHECK(product->format() == must_parse(c.value).format());
    }
  }
}

TEST_CASE("arithmetic that leaves the 128-bit range reports overflow", "[unit][quantity]") {
  const Quantity max = Quantity::from_nanos(kMaxNanos);
  const Quantity min = Quantity::from_nanos(-kMaxNanos);
  const Quantity nano = Quantity::from_nanos(1);
  CHECK_FALSE(max.checked_add(nano).has_value());
  CHECK_FALSE(min.checked_sub(nano).has_value());  // -2^127 is outside the symmetric range
  CHECK_FALSE(max.checked_mul(2).has_value());
  CHECK_FALSE(min.checked_mul(-2).has_value());
  CHECK_FALSE(max.checked_mul(must_parse("1.000000001")).has_value());
  CHECK_FALSE(must_parse("1e20").checked_mul(must_parse("1e10")).has_value());
  CHECK(max.checked_sub(nano).value().nanos() == kMaxNanos - 1);
  CHECK(max.checked_mul(-1).value() == min);
  CHECK(max.checked_mul(must_parse("1")).value() == max);
}

TEST_CASE("value and milli_value round away from zero and saturate", "[unit][quantity]") {
  struct Case {
    std::string_view text;
    std::int64_t value;
    std::int64_t milli;
  };
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  const Case cases[] = {
      {"0", 0, 0},
      {"1", 1, 1000},
      {"1.5", 2, 1500},
      {"-1.5", -2, -1500},
      {"100m", 1, 100},
      {"-100m", -1, -100},
      {"1n", 1, 1},
      {"-1n", -1, -1},
      {"1500001n", 1, 2},
      {"1Gi", 1073741824, 1073741824000},
      {"9223372036854775807", kMax, kMax},
      {"1e20", kMax, kMax},
      {"-1e20", kMin, kMin},
      {"9Ei", kMax, kMax},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.text) {
      const Quantity q = must_parse(c.text);
      CHECK(q.value() == c.value);
      CHECK(q.milli_value() == c.milli);
    }
  }
}

}  // namespace
}  // namespace korder::api
