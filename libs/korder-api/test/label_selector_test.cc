#include "korder/api/label_selector.h"

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace korder::api {
namespace {

using Labels = std::map<std::string, std::string>;
using Op = SelectorOperator;

// Kubernetes' own messages, reused by several cases.
const std::string kNamePartMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

Selector parse_ok(const std::string& text) {
  auto parsed = parse_selector(text);
  INFO("parsing " << text);
  REQUIRE(parsed.has_value());
  return std::move(parsed).value();
}

SelectorRequirement requirement(std::string key, Op op, std::vector<std::string> values = {}) {
  auto r = make_requirement(std::move(key), op, std::move(values));
  REQUIRE(r.has_value());
  return std::move(r).value();
}

TEST_CASE("selectors from Kubernetes' TestSelectorParse print back without their spaces",
          "[unit][selector]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"x=a,y=b,z=c", "x=a,y=b,z=c"},
      {"", ""},
      {"x!=a,y=b", "x!=a,y=b"},
      {"x=", "x="},
      {"x= ", "x="},
      {"x=,z= ", "x=,z="},
      {"x= ,z= ", "x=,z="},
      {"!x", "!x"},
      {"x>1", "x>1"},
      {"x>1,z<5", "x>1,z<5"},
  };
  for (const auto& [input, printed] : cases) {
    INFO(input);
    CHECK(to_string(parse_ok(input)) == printed);
  }
}

TEST_CASE("parsing sorts requirements by key so equal selectors print the same",
          "[unit][selector]") {
  CHECK(to_string(parse_ok("x=a,a=x")) == "a=x,x=a");
  CHECK(parse_ok("x=a,a=x") == parse_ok("a=x,x=a"));
}

TEST_CASE("set-based selectors from Kubernetes' TestSetSelectorParser parse to canonical form",
          "[unit][selector]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\rx", "x"},
      {"this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"},
      {"this-is-another-dns.domain.com/key-with-dash in (so,what)",
       "this-is-another-dns.domain.com/key-with-dash in (so,what)"},
      {"0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
       "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"},
      {"foo  in\t (abc)", "foo in (abc)"},
      {"x notin\n (abc)", "x notin (abc)"},
      {"x  notin\t\t\t(abc,def)", "x notin (abc,def)"},
      {"x in (abc,def)", "x in (abc,def)"},
      {"x in (abc,)", "x in (,abc)"},
      {"x in ()", "x in ()"},
      {"x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"},
      {"x,y in (a)", "x,y in (a)"},
      {"x=a", "x=a"},
      {"x>1", "x>1"},
      {"x<7", "x<7"},
      {"x=a,y!=b", "x=a,y!=b"},
      {"x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)"},
      {"x notin ( )", "x notin ()"},
      {"x notin (, a)", "x notin (,a)"},
      {"a ", "a"},
      {"a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"},
      {"x in (b,a,b)", "x in (a,b)"},
      {"x==a", "x==a"},
      {" a = b , c ", "a=b,c"},
      {"in in (in),notin notin (notin)", "in in (in),notin notin (notin)"},
  };
  for (const auto& [input, printed] : cases) {
    INFO(input);
    CHECK(to_string(parse_ok(input)) == printed);
  }
}

TEST_CASE("a parsed selector keeps the operators and values it was given", "[unit][selector]") {
  const Selector s = parse_ok("x notin (abc,,def),bar,z in (),w,!v,u==1,t!=2,s>3,r<4");
  const std::vector<SelectorRequirement> expected = {
      {"bar", Op::Exists, {}},
      {"r", Op::LessThan, {"4"}},
      {"s", Op::GreaterThan, {"3"}},
      {"t", Op::NotEquals, {"2"}},
      {"u", Op::DoubleEquals, {"1"}},
      {"v", Op::DoesNotExist, {}},
      {"w", Op::Exists, {}},
      {"x", Op::NotIn, {"", "abc", "def"}},
      {"z", Op::In, {""}},
  };
  CHECK(s.requirements() == expected);
}

TEST_CASE("malformed selectors fail with Kubernetes' parse errors", "[unit][selector]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {",x,y", "found ',', expected: !, identifier, or 'end of string'"},
      {"x,,y", "found ',', expected: identifier after ','"},
      {"a in (xyz),", "found '', expected: identifier after ','"},
      {"x==a==b", "found '==', expected: ',' or 'end of string'"},
      {"!x=a", "found '=', expected: ',' or 'end of string'"},
      {"a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"},
      {"(", "found '(', expected: !, identifier, or 'end of string'"},
      {"x nott in (y)",
       "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"},
      {"a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"},
      {"a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"},
      {"a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"},
      {"x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"},
      {"x in a", "unable to parse requirement: found 'a' expected: '('"},
      {"!", "unable to parse requirement: found '', expected: identifier"},
      {"!=a", "found '!=', expected: !, identifier, or 'end of string'"},
      {"x=(", "unable to parse requirement: found '(', expected: identifier"},
      {"x<a",
       "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, "
       "the value must be an integer"},
      {"x=a||y=b",
       "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": " + kLabelValueMsg},
      {"a$b=c", "unable to parse requirement: <nil>: Invalid value: \"a$b\": " + kNamePartMsg},
      // Messages seen from real API servers and client-go tests.
      {"app: nginx",
       "unable to parse requirement: <nil>: Invalid value: \"app:\": " + kNamePartMsg},
      {"a/b/c ?=? def",
       "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must "
       "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
       "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
       "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
       "prefix and '/' (e.g. 'example.com/MyName')"},
      {std::string(254, 'a'), "unable to parse requirement: <nil>: Invalid value: \"" +
                                  std::string(254, 'a') +
                                  "\": name part must be no more than 63 characters"},
  };
  for (const auto& [input, message] : cases) {
    INFO(input);
    const auto parsed = parse_selector(input);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().message == message);
    CHECK(parsed.error().where.empty());
  }
}

TEST_CASE("a parse error takes the caller's field path", "[unit][selector]") {
  const auto parsed = parse_selector("x in a");
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().at("spec.selector").to_string() ==
        "spec.selector: unable to parse requirement: found 'a' expected: '('");
}

TEST_CASE("selectors match label sets as in Kubernetes' TestSelectorMatches", "[unit][selector]") {
  struct Case {
    std::string selector;
    Labels labels;
    bool match;
  };
  const Labels foo_baz = {{"foo", "bar"}, {"baz", "blah"}};
  const std::vector<Case> cases = {
      {"", {{"x", "y"}}, true},
      {"x=y", {{"x", "y"}}, true},
      {"x=y,z=w", {{"x", "y"}, {"z", "w"}}, true},
      {"x!=y,z!=w", {{"x", "z"}, {"z", "a"}}, true},
      {"notin=in", {{"notin", "in"}}, true},
      {"x", {{"x", "z"}}, true},
      {"!x", {{"y", "z"}}, true},
      {"x>1", {{"x", "2"}}, true},
      {"x<1", {{"x", "0"}}, true},
      {"x=z", {}, false},
      {"x=y", {{"x", "z"}}, false},
      {"x=y,z=w", {{"x", "w"}, {"z", "w"}}, false},
      {"x!=y,z!=w", {{"x", "z"}, {"z", "w"}}, false},
      {"x", {{"y", "z"}}, false},
      {"!x", {{"x", "z"}}, false},
      {"x>1", {{"x", "0"}}, false},
      {"x<1", {{"x", "2"}}, false},
      {"foo=bar", foo_baz, true},
      {"baz=blah", foo_baz, true},
      {"foo=bar,baz=blah", foo_baz, true},
      {"foo=blah", foo_baz, false},
      {"baz=bar", foo_baz, false},
      {"foo=bar,foobar=bar,baz=blah", foo_baz, false},
      {"x in (a,b)", {{"x", "b"}}, true},
      {"x in (a,b)", {}, false},
      {"x notin (a,b)", {}, true},
      {"x notin (a,b)", {{"x", "a"}}, false},
      {"x=", {{"x", ""}}, true},
      {"x in ()", {{"x", ""}}, true},
      {"x in ()", {{"x", "a"}}, false},
      {"x!=y", {}, true},
  };
  for (const auto& c : cases) {
    INFO(c.selector);
    const Selector s = parse_ok(c.selector);
    CHECK(s.matches(c.labels) == c.match);
    CHECK(matches(s, c.labels) == c.match);
  }
}

TEST_CASE("gt and lt compare labels as 64-bit decimal integers", "[unit][selector]") {
  struct Case {
    std::string selector;
    std::string value;
    bool match;
  };
  const std::vector<Case> cases = {
      {"x>1", "2", true},
      {"x>1", "1", false},
      {"x>1", "+2", true},  // Go's strconv.ParseInt accepts a sign
      {"x<0", "-1", true},
      {"x>1", "v2", false},
      {"x>1", "2.5", false},
      {"x>1", "", false},
      {"x>1", "9223372036854775807", true},
      {"x>1", "9223372036854775808", false},  // out of range
      {"x<1", "-9223372036854775808", true},
      {"x>1", "0x10", false},
      {"x>1", "1_000", false},
      {"x>1", "+-2", false},
  };
  for (const auto& c : cases) {
    INFO(c.selector << " against " << c.value);
    CHECK(parse_ok(c.selector).matches({{"x", c.value}}) == c.match);
  }
  CHECK_FALSE(parse_ok("x>1").matches({}));
  CHECK_FALSE(parse_ok("x<1").matches({}));
  // A hand-built requirement without its single integer value matches nothing.
  CHECK_FALSE(SelectorRequirement{"x", Op::GreaterThan, {}}.matches({{"x", "2"}}));
  CHECK_FALSE(SelectorRequirement{"x", Op::GreaterThan, {"a"}}.matches({{"x", "2"}}));
  // A negative bound is not a valid label value, so only a struct form can carry one.
  CHECK(SelectorRequirement{"x", Op::GreaterThan, {"-5"}}.matches({{"x", "-4"}}));
  CHECK_FALSE(parse_selector("x>-5").has_value());
}

TEST_CASE("requirements built directly match as Kubernetes' TestRequirementSelectorMatching",
          "[unit][selector]") {
  struct Case {
    Labels labels;
    std::vector<SelectorRequirement> requirements;
    bool match;
  };
  const std::vector<Case> cases = {
      {{{"x", "foo"}, {"y", "baz"}},
       {requirement("x", Op::In, {"foo"}), requirement("y", Op::NotIn, {"alpha"})},
       true},
      {{{"x", "foo"}, {"y", "baz"}},
       {requirement("x", Op::In, {"foo"}), requirement("y", Op::In, {"alpha"})},
       false},
      {{{"y", ""}}, {requirement("x", Op::NotIn, {""}), requirement("y", Op::Exists)}, true},
      {{{"y", ""}}, {requirement("x", Op::DoesNotExist), requirement("y", Op::Exists)}, true},
      {{{"y", ""}}, {requirement("x", Op::NotIn, {""}), requirement("y", Op::DoesNotExist)}, false},
      {{{"y", "baz"}}, {requirement("x", Op::In, {""})}, false},
      {{{"z", "2"}}, {requirement("z", Op::GreaterThan, {"1"})}, true},
      {{{"z", "v2"}}, {requirement("z", Op::GreaterThan, {"1"})}, false},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    CHECK(Selector(cases[i].requirements).matches(cases[i].labels) == cases[i].match);
  }
}

TEST_CASE("requirements are validated as Kubernetes' TestRequirementConstructor",
          "[unit][selector]") {
  struct Case {
    std::string key;
    Op op;
    std::vector<std::string> values;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"x", Op::In, {}, false},
      {"x", Op::NotIn, {}, false},
      {"x", Op::In, {"foo"}, true},
      {"x", Op::NotIn, {"foo"}, true},
      {"x", Op::Exists, {}, true},
      {"x", Op::DoesNotExist, {}, true},
      {"1foo", Op::In, {"bar"}, true},
      {"1234", Op::In, {"bar"}, true},
      {"y", Op::GreaterThan, {"1"}, true},
      {"z", Op::LessThan, {"6"}, true},
      {"foo", Op::GreaterThan, {"bar"}, false},
      {"barz", Op::LessThan, {"blah"}, false},
      {std::string(254, 'a'), Op::Exists, {}, false},
      {"x", Op::Equals, {"a", "b"}, false},
      {"x", Op::NotEquals, {}, false},
      {"x", Op::Exists, {"a"}, false},
      {"x", Op::GreaterThan, {"1", "2"}, false},
      {"x", Op::In, {""}, true},
  };
  for (const auto& c : cases) {
    INFO(c.key << " " << to_string(c.op));
    CHECK(make_requirement(c.key, c.op, c.values).has_value() == c.ok);
  }
}

TEST_CASE("requirement errors name the field and value as Kubernetes prints them",
          "[unit][selector]") {
  struct Case {
    std::string key;
    Op op;
    std::vector<std::string> values;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"x",
       Op::In,
       {},
       "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
       "empty"},
      {"x",
       Op::Equals,
       {"a", "b"},
       "values: Invalid value: []string{\"a\", \"b\"}: exact-match compatibility requires one "
       "single value"},
      {"x",
       Op::DoesNotExist,
       {"a"},
       "values: Invalid value: []string{\"a\"}: values set must be empty for exists and does not "
       "exist"},
      {"x",
       Op::GreaterThan,
       {},
       "values: Invalid value: []string(nil): for 'Gt', 'Lt' operators, exactly one value is "
       "required"},
      {"x", Op::In, {"ok", "not ok"}, "values[1][x]: Invalid value: \"not ok\": " + kLabelValueMsg},
      {"a b", Op::Exists, {}, "key: Invalid value: \"a b\": " + kNamePartMsg},
      {"a b",
       Op::NotIn,
       {},
       "[key: Invalid value: \"a b\": " + kNamePartMsg +
           ", values: Invalid value: []string(nil): for 'in', 'notin' operators, values set "
           "can't be empty]"},
      {"x",
       Op::LessThan,
       {"a b"},
       "[values[0]: Invalid value: \"a b\": for 'Gt', 'Lt' operators, the value must be an "
       "integer, values[0][x]: Invalid value: \"a b\": " +
           kLabelValueMsg + "]"},
  };
  for (const auto& c : cases) {
    INFO(c.key << " " << to_string(c.op));
    const auto r = make_requirement(c.key, c.op, c.values);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == c.message);
  }
}

TEST_CASE("selectors print as Kubernetes' TestToString", "[unit][selector]") {
  struct Case {
    std::vector<SelectorRequirement> requirements;
    std::string printed;
  };
  const std::vector<Case> cases = {
      {{requirement("x", Op::In, {"abc", "def"}), requirement("y", Op::NotIn, {"jkl"}),
        requirement("z", Op::Exists)},
       "x in (abc,def),y notin (jkl),z"},
      {{requirement("x", Op::NotIn, {"abc", "def"}), requirement("y", Op::NotEquals, {"jkl"}),
        requirement("z", Op::DoesNotExist)},
       "x notin (abc,def),y!=jkl,!z"},
      {{requirement("x", Op::NotIn, {"abc"}), requirement("y", Op::In, {"jkl", "mno"}),
        requirement("z", Op::NotIn, {""})},
       "x notin (abc),y in (jkl,mno),z notin ()"},
      {{requirement("x", Op::Equals, {"abc"}), requirement("y", Op::DoubleEquals, {"jkl"}),
        requirement("z", Op::NotEquals, {"a"}), requirement("z", Op::Exists)},
       "x=abc,y==jkl,z!=a,z"},
      {{requirement("x", Op::GreaterThan, {"2"}), requirement("y", Op::LessThan, {"8"}),
        requirement("z", Op::Exists)},
       "x>2,y<8,z"},
      // Values print sorted without changing the requirement; duplicates stay, as in Go.
      {{requirement("z", Op::In, {"b", "a", "b"}), requirement("a", Op::Exists)}, "a,z in (a,b,b)"},
  };
  for (const auto& c : cases) {
    INFO(c.printed);
    const Selector s(c.requirements);
    CHECK(to_string(s) == c.printed);
  }
  const auto unsorted = requirement("z", Op::In, {"b", "a"});
  CHECK(unsorted.values == std::vector<std::string>{"b", "a"});
}

TEST_CASE("a printed selector parses back to the same selector", "[unit][selector]") {
  const std::vector<std::string> inputs = {
      "a=b,c!=d,e in (x,y),!f,g notin (z),h",
      "x in (abc,,def),bar,z in (),w",
      "korder.dev/group=gpu,korder.dev/slot notin (r0,r1),x>5,y<3,q==1",
      "in in (in,notin),notin",
  };
  for (const auto& input : inputs) {
    INFO(input);
    const Selector first = parse_ok(input);
    const Selector second = parse_ok(to_string(first));
    CHECK(second == first);
    CHECK(to_string(second) == to_string(first));
  }
}

TEST_CASE("add keeps requirements sorted by key", "[unit][selector]") {
  const Selector s = Selector().add(requirement("key", Op::In, {"value"}));
  CHECK(to_string(s) == "key in (value)");
  const Selector t =
      s.add(requirement("a", Op::Equals, {"1"})).add(requirement("key2", Op::Equals, {"value2"}));
  CHECK(to_string(t) == "a=1,key in (value),key2=value2");
  CHECK(to_string(s) == "key in (value)");  // the original is unchanged
}

TEST_CASE("everything and nothing are different empty selectors", "[unit][selector]") {
  const Selector everything = Selector::everything();
  CHECK(everything.empty());
  CHECK_FALSE(everything.matches_nothing());
  CHECK(everything.matches({{"x", "y"}}));
  CHECK(everything.matches({}));
  CHECK(to_string(everything) == "");
  CHECK(parse_ok("") == everything);

  const Selector nothing = Selector::nothing();
  CHECK_FALSE(nothing.empty());
  CHECK(nothing.matches_nothing());
  CHECK_FALSE(nothing.matches({{"x", "y"}}));
  CHECK_FALSE(nothing.matches({}));
  CHECK(to_string(nothing) == "");
  CHECK(nothing.add(requirement("x", Op::Exists)).matches_nothing());
  CHECK_FALSE(nothing == everything);

  CHECK_FALSE(parse_ok("x").empty());
  CHECK_FALSE(parse_ok("x").matches_nothing());
}

TEST_CASE("an exact-match requirement can drive an index lookup", "[unit][selector]") {
  const Selector s = parse_ok("x=a,y in (b),z in (c,d),w!=e,v==f,u");
  CHECK(s.requires_exact_match("x") == std::optional<std::string>("a"));
  CHECK(s.requires_exact_match("y") == std::optional<std::string>("b"));
  CHECK(s.requires_exact_match("v") == std::optional<std::string>("f"));
  CHECK_FALSE(s.requires_exact_match("z").has_value());
  CHECK_FALSE(s.requires_exact_match("w").has_value());
  CHECK_FALSE(s.requires_exact_match("u").has_value());
  CHECK_FALSE(s.requires_exact_match("missing").has_value());
  // Only the first requirement on the key counts, as in Kubernetes.
  CHECK_FALSE(parse_ok("x in (a,b),x=a").requires_exact_match("x").has_value());
  CHECK_FALSE(Selector::nothing().requires_exact_match("x").has_value());
}

TEST_CASE("a label set becomes an exact-match selector", "[unit][selector]") {
  const Selector s = selector_from_set({{"b", "2"}, {"a", "1"}});
  CHECK(to_string(s) == "a=1,b=2");
  CHECK(s.matches({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  CHECK_FALSE(s.matches({{"a", "1"}}));
  CHECK(selector_from_set({}).empty());
}

TEST_CASE("a struct label selector converts like LabelSelectorAsSelector", "[unit][selector]") {
  LabelSelector ls;
  ls.match_labels = {{"app", "web"}};
  ls.match_expressions = {
      {"tier", "In", {"b", "a"}},
      {"env", "NotIn", {"prod"}},
      {"gpu", "Exists", {}},
      {"legacy", "DoesNotExist", {}},
  };
  const auto s = from_label_selector(ls);
  REQUIRE(s.has_value());
  CHECK(to_string(*s) == "app=web,env notin (prod),gpu,!legacy,tier in (a,b)");
  CHECK(s->requires_exact_match("app") == std::optional<std::string>("web"));

  const Labels match = {{"app", "web"}, {"tier", "a"}, {"gpu", "1"}};
  CHECK(s->matches(match));
  CHECK(matches(ls, match));
  CHECK_FALSE(matches(ls, {{"app", "web"}, {"tier", "a"}, {"gpu", "1"}, {"legacy", "x"}}));
  CHECK_FALSE(matches(ls, {{"app", "web"}, {"tier", "a"}, {"gpu", "1"}, {"env", "prod"}}));
  CHECK(matches(ls, {{"app", "web"}, {"tier", "b"}, {"gpu", ""}, {"env", "dev"}}));
}

TEST_CASE("an empty struct label selector matches everything", "[unit][selector]") {
  const auto s = from_label_selector(LabelSelector{});
  REQUIRE(s.has_value());
  CHECK(s->empty());
  CHECK(matches(LabelSelector{}, {}));
  CHECK(matches(LabelSelector{}, {{"any", "thing"}}));
}

TEST_CASE("invalid struct label selectors are rejected with Kubernetes' messages",
          "[unit][selector]") {
  struct Case {
    LabelSelector selector;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{}, {{"k", "Gt", {"1"}}}}, "\"Gt\" is not a valid label selector operator"},
      {{{}, {{"k", "", {"v"}}}}, "\"\" is not a valid label selector operator"},
      {{{}, {{"k", "in", {"v"}}}}, "\"in\" is not a valid label selector operator"},
      {{{}, {{"name", "In", {}}}},
       "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
       "empty"},
      {{{}, {{"k", "Exists", {"a"}}}},
       "values: Invalid value: []string{\"a\"}: values set must be empty for exists and does "
       "not exist"},
      {{{}, {{"k", "In", {"bad value"}}}},
       "values[0][k]: Invalid value: \"bad value\": " + kLabelValueMsg},
      {{{{"a b", "x"}}, {}}, "key: Invalid value: \"a b\": " + kNamePartMsg},
      {{{{"app", "-x"}}, {}}, "values[0][app]: Invalid value: \"-x\": " + kLabelValueMsg},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    const auto s = from_label_selector(c.selector);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().message == c.message);
    // The convenience matcher treats an invalid selector as matching nothing.
    CHECK_FALSE(matches(c.selector, {{"k", "1"}, {"name", "x"}, {"app", "-x"}}));
  }
}

TEST_CASE("operators print with Kubernetes' selection spelling", "[unit][selector]") {
  CHECK(to_string(Op::Equals) == "=");
  CHECK(to_string(Op::DoubleEquals) == "==");
  CHECK(to_string(Op::NotEquals) == "!=");
  CHECK(to_string(Op::In) == "in");
  CHECK(to_string(Op::NotIn) == "notin");
  CHECK(to_string(Op::Exists) == "exists");
  CHECK(to_string(Op::DoesNotExist) == "!");
  CHECK(to_string(Op::GreaterThan) == "gt");
  CHECK(to_string(Op::LessThan) == "lt");
}

}  // namespace
}  // namespace korder::api
