#include "korder/api/names.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace korder::api {
namespace {

using Strings = std::vector<std::string>;

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

// The exact messages of k8s.io/apimachinery/pkg/util/validation (Kubernetes 1.28).
const std::string kDns1123LabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string kDns1123SubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kNamePartMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

TEST_CASE("DNS-1123 labels accept Kubernetes' good values up to 63 characters", "[unit][names]") {
  const Strings good = {"a",  "ab",  "abc", "a1",  "a-1",        "a--1--2--b",   "0",
                        "01", "012", "1a",  "1-a", "1--a--b--2", repeat('a', 63)};
  for (const auto& value : good) {
    INFO(value);
    CHECK(is_dns1123_label(value).empty());
  }
}

TEST_CASE("DNS-1123 labels reject Kubernetes' bad values", "[unit][names]") {
  const Strings bad = {"",    "A",  "ABC", "aBc", "A1",  "A-1", "1-A",     "-",   "a-",
                       "-a",  "1-", "-1",  "_",   "a_",  "_a",  "a_b",     "1_",  "_1",
                       "1_2", ".",  "a.",  ".a",  "a.b", "1.",  ".1",      "1.2", " ",
                       "a ",  " a", "a b", "1 ",  " 1",  "1 2", "\xc3\xa4"};
  for (const auto& value : bad) {
    INFO(value);
    CHECK(is_dns1123_label(value) == Strings{kDns1123LabelMsg});
  }
}

TEST_CASE(
    "a DNS-1123 label over 63 characters reports its length and, if also malformed, its "
    "format",
    "[unit][names]") {
  CHECK(is_dns1123_label(repeat('a', 64)) == Strings{"must be no more than 63 characters"});
  CHECK(is_dns1123_label(repeat('A', 64)) ==
        Strings{"must be no more than 63 characters", kDns1123LabelMsg});
}

TEST_CASE("DNS-1123 subdomains accept dotted labels up to 253 characters", "[unit][names]") {
  const Strings good = {"a",
                        "ab",
                        "a-1",
                        "a--1--2--b",
                        "0",
                        "1-a",
                        "a.a",
                        "ab.a",
                        "a-1.a",
                        "a.1",
                        "a--1--2--b.1",
                        "0.a",
                        "1-a.a",
                        "0.1",
                        "1--a--b--2.1",
                        "a.b.c.d.e",
                        "aa.bb.cc.dd.ee",
                        "1.2.3.4.5",
                        "11.22.33.44.55",
                        "example.com",
                        repeat('a', 253)};
  for (const auto& value : good) {
    INFO(value);
    CHECK(is_dns1123_subdomain(value).empty());
  }
}

TEST_CASE("DNS-1123 subdomains reject Kubernetes' bad values", "[unit][names]") {
  const Strings bad = {"",    "A",   "aBc",  "-",    "a-",  "-a",        "_",         "a_b",
                       ".",   "a.",  ".a",   "a..b", "1.",  ".1",        "1..2",      " ",
                       "a b", "A.a", "ab.A", "A.1",  "0.A", "A.B.C.D.E", "a.B.c.d.e", "a@b",
                       "a,b", "a;b", "a:b",  "a%b",  "a?b", "a$b",       "a-.b",      "a.-b"};
  for (const auto& value : bad) {
    INFO(value);
    CHECK(is_dns1123_subdomain(value) == Strings{kDns1123SubdomainMsg});
  }
  CHECK(is_dns1123_subdomain(repeat('a', 254)) == Strings{"must be no more than 253 characters"});
}

TEST_CASE("qualified names accept Kubernetes' good values", "[unit][names]") {
  const Strings good = {"simple",
                        "now-with-dashes",
                        "1-starts-with-num",
                        "1234",
                        "simple/simple",
                        "now-with-dashes/simple",
                        "now-with-dashes/now-with-dashes",
                        "now.with.dots/simple",
                        "now-with.dashes-and.dots/simple",
                        "1-num.2-num/3-num",
                        "1234/5678",
                        "1.2.3.4/5678",
                        "Uppercase_Is_OK_123",
                        "example.com/Uppercase_Is_OK_123",
                        "requests.storage-foo",
                        "korder.dev/ticket",
                        repeat('a', 63),
                        repeat('a', 253) + "/" + repeat('b', 63)};
  for (const auto& value : good) {
    INFO(value);
    CHECK(is_qualified_name(value).empty());
  }
}

TEST_CASE("qualified names report which part is wrong, in Kubernetes' words", "[unit][names]") {
  struct Case {
    std::string input;
    Strings errors;
  };
  const std::vector<Case> cases = {
      {"nospecialchars%^=@", {kNamePartMsg}},
      {"cantendwithadash-", {kNamePartMsg}},
      {"-cantstartwithadash-", {kNamePartMsg}},
      {"a b", {kNamePartMsg}},
      {"", {"name part must be non-empty", kNamePartMsg}},
      {"example.com/", {"name part must be non-empty", kNamePartMsg}},
      {"/simple", {"prefix part must be non-empty"}},
      {"Example.com/abc", {"prefix part " + kDns1123SubdomainMsg}},
      {"example_com/abc", {"prefix part " + kDns1123SubdomainMsg}},
      {repeat('a', 64), {"name part must be no more than 63 characters"}},
      {repeat('a', 254) + "/abc", {"prefix part must be no more than 253 characters"}},
      {"only/one/slash",
       {"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(is_qualified_name(c.input) == c.errors);
  }
}

TEST_CASE("label values may be empty and at most 63 characters", "[unit][names]") {
  const Strings good = {"simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1",
                        "1234",   "My_Value.1",      repeat('a', 63),     ""};
  for (const auto& value : good) {
    INFO(value);
    CHECK(is_valid_label_value(value).empty());
  }
  const Strings bad = {"nospecialchars%^=@",
                       "Tama-nui-te-r\xc4\x81.is.M\xc4\x81ori.sun",
                       "\\backslashes\\are\\bad",
                       "-starts-with-dash",
                       "ends-with-dash-",
                       ".starts.with.dot",
                       "ends.with.dot.",
                       "a/b",
                       "a b"};
  for (const auto& value : bad) {
    INFO(value);
    CHECK(is_valid_label_value(value) == Strings{kLabelValueMsg});
  }
  CHECK(is_valid_label_value(repeat('a', 64)) == Strings{"must be no more than 63 characters"});
}

TEST_CASE("values are quoted as Go's %q prints them", "[unit][names]") {
  CHECK(strconv_quote("a b") == "\"a b\"");
  CHECK(strconv_quote("") == "\"\"");
  CHECK(strconv_quote("say \"hi\"\\") == "\"say \\\"hi\\\"\\\\\"");
  CHECK(strconv_quote("tab\there\nnl") == "\"tab\\there\\nnl\"");
  CHECK(strconv_quote(std::string("nul\0x", 5)) == "\"nul\\x00x\"");
  CHECK(strconv_quote("\x7f") == "\"\\x7f\"");
  CHECK(strconv_quote("r\xc4\x81") == "\"r\xc4\x81\"");  // valid UTF-8 stays as is
  CHECK(strconv_quote("bad\xff") == "\"bad\\xff\"");     // an invalid byte is escaped
  CHECK(strconv_quote("\xc0\xaf") == "\"\\xc0\\xaf\"");  // overlong encodings are invalid
}

TEST_CASE("an invalid field prints like the API server's field error", "[unit][names]") {
  const FieldError err =
      field_invalid("metadata.name", "My_Name", is_dns1123_subdomain("My_Name")[0]);
  CHECK(err.type == FieldError::Type::Invalid);
  CHECK(err.to_string() == "metadata.name: Invalid value: \"My_Name\": " + kDns1123SubdomainMsg);
}

TEST_CASE("label validation reports bad keys and values at the labels path", "[unit][names]") {
  const std::map<std::string, std::string> labels = {
      {"a b", "ok"}, {"app", "web"}, {"korder.dev/slot", "r0"}, {"tier", "-bad"}, {"empty", ""},
  };
  const FieldErrors errs = validate_labels(labels, "metadata.labels");
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].to_string() == "metadata.labels: Invalid value: \"a b\": " + kNamePartMsg);
  CHECK(errs[1].to_string() == "metadata.labels: Invalid value: \"-bad\": " + kLabelValueMsg);
  CHECK(validate_labels({{"app", repeat('v', 63)}}, "metadata.labels").empty());
  const FieldErrors too_long = validate_labels({{"app", repeat('v', 64)}}, "metadata.labels");
  REQUIRE(too_long.size() == 1);
  CHECK(too_long[0].detail ==
        "Invalid value: \"" + repeat('v', 64) + "\": must be no more than 63 characters");
}

TEST_CASE("annotation keys ignore case but values are free text", "[unit][names]") {
  const std::map<std::string, std::string> annotations = {
      {"Example.COM/Owner", "any text at all: {\"json\": true}"},
      {"korder.dev/node", "node-1"},
  };
  CHECK(validate_annotations(annotations, "metadata.annotations").empty());
  const FieldErrors errs = validate_annotations({{"bad key", "v"}}, "metadata.annotations");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].to_string() == "metadata.annotations: Invalid value: \"bad key\": " + kNamePartMsg);
}

TEST_CASE("annotations may total 262144 bytes of keys and values but no more", "[unit][names]") {
  constexpr std::size_t kLimit = 262144;
  STATIC_REQUIRE(kTotalAnnotationSizeLimitBytes == kLimit);
  const std::string key = "big";
  CHECK(validate_annotations({{key, repeat('x', kLimit - key.size())}}, "metadata.annotations")
            .empty());
  const FieldErrors errs = validate_annotations(
      {{key, repeat('x', kLimit - key.size() - 1)}, {"k", "xx"}}, "metadata.annotations");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].type == FieldError::Type::TooLong);
  CHECK(errs[0].to_string() == "metadata.annotations: Too long: must have at most 262144 bytes");
}

TEST_CASE("object metadata validation puts label and annotation errors under their paths",
          "[unit][names]") {
  const FieldErrors errs = validate_object_meta_labels_and_annotations(
      {{"a b", "x"}}, {{"/x", "y"}}, "spec.template.metadata");
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].to_string() ==
        "spec.template.metadata.labels: Invalid value: \"a b\": " + kNamePartMsg);
  CHECK(errs[1].to_string() ==
        "spec.template.metadata.annotations: Invalid value: \"/x\": prefix part must be "
        "non-empty");
  CHECK(validate_object_meta_labels_and_annotations({{"app", "web"}}, {{"note", "hi"}}, "metadata")
            .empty());
  const FieldErrors root = validate_object_meta_labels_and_annotations({{"", "x"}}, {}, "");
  REQUIRE(root.size() == 2);
  CHECK(root[0].field == "labels");
  CHECK(root[0].detail == "Invalid value: \"\": name part must be non-empty");
}

}  // namespace
}  // namespace korder::api
