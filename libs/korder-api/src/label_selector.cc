#include "korder/api/label_selector.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>
#include <system_error>
#include <utility>

#include "korder/api/names.h"

namespace korder::api {
namespace {

using Labels = std::map<std::string, std::string>;

// ---- Errors worded as Kubernetes' field.ErrorList aggregates --------------------------------

// Go's `%#v` of a []string, as field.Invalid prints a value list. LabelSelectorAsSelector
// copies values with append([]string(nil), ...), so an empty list prints as nil.
std::string go_string_slice(const std::vector<std::string>& values) {
  if (values.empty()) {
    return "[]string(nil)";
  }
  std::string out = "[]string{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ", ";
    }
    out += strconv_quote(values[i]);
  }
  out += "}";
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

// `<path>: Invalid value: <value>: <detail>` with the value already formatted.
std::string invalid(std::string_view path, std::string_view formatted_value,
                    std::string_view detail) {
  std::string out(path);
  out += ": Invalid value: ";
  out += formatted_value;
  out += ": ";
  out += detail;
  return out;
}

// utilerrors.NewAggregate(...).Error() after ErrorList.ToAggregate(): duplicates dropped, one
// message alone, several in brackets.
std::string aggregate(const std::vector<std::string>& messages) {
  std::vector<std::string> unique;
  for (const auto& m : messages) {
    if (std::find(unique.begin(), unique.end(), m) == unique.end()) {
      unique.push_back(m);
    }
  }
  if (unique.size() == 1) {
    return unique.front();
  }
  return "[" + join(unique, ", ") + "]";
}

// The label-key check both the parser and make_requirement apply; `path` is where Kubernetes
// reports it (`<nil>` while parsing, because the parser has no field path, `key` otherwise).
std::optional<std::string> label_key_error(std::string_view key, std::string_view path) {
  const auto errs = is_qualified_name(key);
  if (errs.empty()) {
    return std::nullopt;
  }
  return invalid(path, strconv_quote(key), join(errs, "; "));
}

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow.
std::optional<std::int64_t> parse_int64(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
      return std::nullopt;
    }
  }
  if (s.empty()) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

// ---- The string form: a lexer and recursive-descent parser with labels.Parse's grammar ------

enum class Token {
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
};

struct ScannedItem {
  Token token;
  std::string literal;
};

std::optional<Token> keyword_or_symbol(std::string_view s) {
  static constexpr std::pair<std::string_view, Token> kTokens[] = {
      {")", Token::ClosedPar},     {",", Token::Comma},    {"!", Token::DoesNotExist},
      {"==", Token::DoubleEquals}, {"=", Token::Equals},   {">", Token::GreaterThan},
      {"in", Token::In},           {"<", Token::LessThan}, {"!=", Token::NotEquals},
      {"notin", Token::NotIn},     {"(", Token::OpenPar},
  };
  for (const auto& [text, token] : kTokens) {
    if (text == s) {
      return token;
    }
  }
  return std::nullopt;
}

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_special_symbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

// Splits the input into tokens. Like Kubernetes' lexer it treats a NUL byte as the end of a
// token (and, where a token would start, as the end of the input).
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  ScannedItem lex() {
    char c = read();
    while (is_whitespace(c)) {
      c = read();
    }
    if (c == '\0') {
      return {Token::EndOfString, ""};
    }
    unread();
    return is_special_symbol(c) ? scan_special_symbol() : scan_identifier_or_keyword();
  }

 private:
  // '\0' at the end of the input; callers unread only characters they actually read.
  char read() { return pos_ < text_.size() ? text_[pos_++] : '\0'; }
  void unread() { --pos_; }

  ScannedItem scan_identifier_or_keyword() {
    std::string buffer;
    while (true) {
      const char c = read();
      if (c == '\0') {
        break;
      }
      if (is_special_symbol(c) || is_whitespace(c)) {
        unread();
        break;
      }
      buffer += c;
    }
    const auto keyword = keyword_or_symbol(buffer);
    return {keyword.value_or(Token::Identifier), std::move(buffer)};
  }

  // The longest operator made of special symbols (`!=` rather than `!`). Every single special
  // symbol is a token, so this always yields one.
  ScannedItem scan_special_symbol() {
    std::string buffer;
    ScannedItem last{Token::EndOfString, ""};
    bool found = false;
    while (true) {
      const char c = read();
      if (c == '\0') {
        break;
      }
      if (!is_special_symbol(c)) {
        unread();
        break;
      }
      buffer += c;
      if (const auto token = keyword_or_symbol(buffer)) {
        last = {*token, buffer};
        found = true;
      } else if (found) {
        unread();
        break;
      }
    }
    return last;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string parse_error_message(std::string_view found, std::string_view expected) {
  std::string out = "found '";
  out += found;
  out += "', expected: ";
  out += expected;
  return out;
}

// Keywords are operators only where an operator may stand; elsewhere (`in in (in)`) they are
// plain identifiers.
enum class Context { KeyAndOperator, Values };

class Parser {
 public:
  explicit Parser(std::string_view text) {
    Lexer lexer(text);
    while (true) {
      items_.push_back(lexer.lex());
      if (items_.back().token == Token::EndOfString) {
        break;
      }
    }
  }

  Expected<std::vector<SelectorRequirement>, std::string> parse() {
    std::vector<SelectorRequirement> requirements;
    while (true) {
      const auto& [token, literal] = lookahead(Context::Values);
      if (token == Token::EndOfString) {
        return requirements;
      }
      if (token != Token::Identifier && token != Token::DoesNotExist) {
        return Unexpected(parse_error_message(literal, "!, identifier, or 'end of string'"));
      }
      auto requirement = parse_requirement();
      if (!requirement) {
        return Unexpected("unable to parse requirement: " + requirement.error());
      }
      requirements.push_back(std::move(requirement).value());
      const auto next = consume(Context::Values);
      if (next.token == Token::EndOfString) {
        return requirements;
      }
      if (next.token != Token::Comma) {
        return Unexpected(parse_error_message(next.literal, "',' or 'end of string'"));
      }
      const auto after_comma = lookahead(Context::Values);
      if (after_comma.token != Token::Identifier && after_comma.token != Token::DoesNotExist) {
        return Unexpected(parse_error_message(after_comma.literal, "identifier after ','"));
      }
    }
  }

 private:
  ScannedItem lookahead(Context context) const {
    // Nothing is read past the end marker; clamping keeps that true by construction.
    ScannedItem item = items_[std::min(position_, items_.size() - 1)];
    if (context == Context::Values && (item.token == Token::In || item.token == Token::NotIn)) {
      item.token = Token::Identifier;
    }
    return item;
  }

  ScannedItem consume(Context context) {
    ScannedItem item = lookahead(context);
    ++position_;
    return item;
  }

  Expected<SelectorRequirement, std::string> parse_requirement() {
    // The key, and the operator when it is implied: `!key` or a bare `key`.
    std::optional<SelectorOperator> op;
    auto item = consume(Context::Values);
    if (item.token == Token::DoesNotExist) {
      op = SelectorOperator::DoesNotExist;
      item = consume(Context::Values);
    }
    if (item.token != Token::Identifier) {
      return Unexpected(parse_error_message(item.literal, "identifier"));
    }
    std::string key = std::move(item.literal);
    if (auto err = label_key_error(key, "<nil>")) {
      return Unexpected(std::move(*err));
    }
    const Token next = lookahead(Context::Values).token;
    if (!op && (next == Token::EndOfString || next == Token::Comma)) {
      op = SelectorOperator::Exists;
    }
    if (op) {
      return build(std::move(key), *op, {});
    }

    auto parsed_op = parse_operator();
    if (!parsed_op) {
      return Unexpected(std::move(parsed_op).error());
    }
    const bool set_based =
        *parsed_op == SelectorOperator::In || *parsed_op == SelectorOperator::NotIn;
    auto values = set_based ? parse_values() : parse_exact_value();
    if (!values) {
      return Unexpected(std::move(values).error());
    }
    return build(std::move(key), *parsed_op, {values->begin(), values->end()});
  }

  static Expected<SelectorRequirement, std::string> build(std::string key, SelectorOperator op,
                                                          std::vector<std::string> values) {
    auto requirement = make_requirement(std::move(key), op, std::move(values));
    if (!requirement) {
      return Unexpected(std::move(requirement).error().message);
    }
    return std::move(requirement).value();
  }

  Expected<SelectorOperator, std::string> parse_operator() {
    const auto item = consume(Context::KeyAndOperator);
    switch (item.token) {
      case Token::In:
        return SelectorOperator::In;
      case Token::Equals:
        return SelectorOperator::Equals;
      case Token::DoubleEquals:
        return SelectorOperator::DoubleEquals;
      case Token::GreaterThan:
        return SelectorOperator::GreaterThan;
      case Token::LessThan:
        return SelectorOperator::LessThan;
      case Token::NotIn:
        return SelectorOperator::NotIn;
      case Token::NotEquals:
        return SelectorOperator::NotEquals;
      default:
        return Unexpected(parse_error_message(item.literal, "in, notin, =, ==, !=, gt, lt"));
    }
  }

  // `(a,b,c)`; empty entries (`()`, `(a,)`, `(,a)`, `(a,,b)`) stand for the empty value.
  Expected<std::set<std::string>, std::string> parse_values() {
    const auto open = consume(Context::Values);
    if (open.token != Token::OpenPar) {
      // Kubernetes' wording, without the comma its other messages have.
      return Unexpected("found '" + open.literal + "' expected: '('");
    }
    const auto first = lookahead(Context::Values);
    if (first.token == Token::ClosedPar) {
      consume(Context::Values);
      return std::set<std::string>{""};
    }
    if (first.token != Token::Identifier && first.token != Token::Comma) {
      return Unexpected(parse_error_message(first.literal, "',', ')' or identifier"));
    }
    auto values = parse_identifiers_list();
    if (values) {
      consume(Context::Values);  // the ')' that ended the list
    }
    return values;
  }

  Expected<std::set<std::string>, std::string> parse_identifiers_list() {
    std::set<std::string> values;
    while (true) {
      const auto item = consume(Context::Values);
      if (item.token == Token::Identifier) {
        values.insert(item.literal);
        const auto next = lookahead(Context::Values);
        if (next.token == Token::ClosedPar) {
          return values;
        }
        if (next.token != Token::Comma) {
          return Unexpected(parse_error_message(next.literal, "',' or ')'"));
        }
        continue;
      }
      if (item.token != Token::Comma) {
        return Unexpected(parse_error_message(item.literal, "',', or identifier"));
      }
      // A comma with nothing before it, or followed by `,` or `)`, delimits an empty value.
      if (values.empty()) {
        values.insert("");
      }
      const Token next = lookahead(Context::Values).token;
      if (next == Token::ClosedPar) {
        values.insert("");
        return values;
      }
      if (next == Token::Comma) {
        values.insert("");
      }
    }
  }

  // The single value after `=`, `==`, `!=`, `>` or `<`; nothing before `,` or the end is "".
  Expected<std::set<std::string>, std::string> parse_exact_value() {
    const Token next = lookahead(Context::Values).token;
    if (next == Token::EndOfString || next == Token::Comma) {
      return std::set<std::string>{""};
    }
    const auto item = consume(Context::Values);
    if (item.token != Token::Identifier) {
      return Unexpected(parse_error_message(item.literal, "identifier"));
    }
    return std::set<std::string>{item.literal};
  }

  std::vector<ScannedItem> items_;
  std::size_t position_ = 0;
};

bool has_value(const SelectorRequirement& r, const std::string& value) {
  return std::find(r.values.begin(), r.values.end(), value) != r.values.end();
}

void sort_by_key(std::vector<SelectorRequirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
}

}  // namespace

std::string_view to_string(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::Equals:
      return "=";
    case SelectorOperator::DoubleEquals:
      return "==";
    case SelectorOperator::NotEquals:
      return "!=";
    case SelectorOperator::In:
      return "in";
    case SelectorOperator::NotIn:
      return "notin";
    case SelectorOperator::Exists:
      return "exists";
    case SelectorOperator::DoesNotExist:
      return "!";
    case SelectorOperator::GreaterThan:
      return "gt";
    case SelectorOperator::LessThan:
      return "lt";
  }
  return "";
}

bool SelectorRequirement::matches(const Labels& labels) const {
  const auto it = labels.find(key);
  const bool present = it != labels.end();
  switch (op) {
    case SelectorOperator::In:
    case SelectorOperator::Equals:
    case SelectorOperator::DoubleEquals:
      return present && has_value(*this, it->second);
    case SelectorOperator::NotIn:
    case SelectorOperator::NotEquals:
      return !present || !has_value(*this, it->second);
    case SelectorOperator::Exists:
      return present;
    case SelectorOperator::DoesNotExist:
      return !present;
    case SelectorOperator::GreaterThan:
    case SelectorOperator::LessThan: {
      if (!present || values.size() != 1) {
        return false;
      }
      const auto actual = parse_int64(it->second);
      const auto bound = parse_int64(values.front());
      if (!actual || !bound) {
        return false;
      }
      return op == SelectorOperator::GreaterThan ? *actual > *bound : *actual < *bound;
    }
  }
  return false;
}

Expected<SelectorRequirement, ParseError> make_requirement(std::string key, SelectorOperator op,
                                                           std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (auto err = label_key_error(key, "key")) {
    errs.push_back(std::move(*err));
  }
  switch (op) {
    case SelectorOperator::In:
    case SelectorOperator::NotIn:
      if (values.empty()) {
        errs.push_back(invalid("values", go_string_slice(values),
                               "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case SelectorOperator::Equals:
    case SelectorOperator::DoubleEquals:
    case SelectorOperator::NotEquals:
      if (values.size() != 1) {
        errs.push_back(invalid("values", go_string_slice(values),
                               "exact-match compatibility requires one single value"));
      }
      break;
    case SelectorOperator::Exists:
    case SelectorOperator::DoesNotExist:
      if (!values.empty()) {
        errs.push_back(invalid("values", go_string_slice(values),
                               "values set must be empty for exists and does not exist"));
      }
      break;
    case SelectorOperator::GreaterThan:
    case SelectorOperator::LessThan:
      if (values.size() != 1) {
        errs.push_back(invalid("values", go_string_slice(values),
                               "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!parse_int64(values[i])) {
          errs.push_back(invalid("values[" + std::to_string(i) + "]", strconv_quote(values[i]),
                                 "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto value_errs = is_valid_label_value(values[i]);
    if (!value_errs.empty()) {
      errs.push_back(invalid("values[" + std::to_string(i) + "][" + key + "]",
                             strconv_quote(values[i]), join(value_errs, "; ")));
    }
  }
  if (!errs.empty()) {
    return Unexpected(ParseError{aggregate(errs), ""});
  }
  return SelectorRequirement{std::move(key), op, std::move(values)};
}

Selector::Selector(std::vector<SelectorRequirement> requirements)
    : requirements_(std::move(requirements)) {
  sort_by_key(requirements_);
}

Selector Selector::nothing() {
  Selector s;
  s.nothing_ = true;
  return s;
}

Selector Selector::add(SelectorRequirement requirement) const {
  if (nothing_) {
    return *this;
  }
  std::vector<SelectorRequirement> all = requirements_;
  all.push_back(std::move(requirement));
  return Selector(std::move(all));
}

bool Selector::matches(const Labels& labels) const {
  if (nothing_) {
    return false;
  }
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const SelectorRequirement& r) { return r.matches(labels); });
}

std::optional<std::string> Selector::requires_exact_match(std::string_view key) const {
  for (const auto& r : requirements_) {
    if (r.key != key) {
      continue;
    }
    const bool exact = r.op == SelectorOperator::Equals || r.op == SelectorOperator::DoubleEquals ||
                       r.op == SelectorOperator::In;
    if (exact && r.values.size() == 1) {
      return r.values.front();
    }
    return std::nullopt;
  }
  return std::nullopt;
}

Expected<Selector, ParseError> parse_selector(std::string_view text) {
  auto requirements = Parser(text).parse();
  if (!requirements) {
    return Unexpected(ParseError{std::move(requirements).error(), ""});
  }
  return Selector(std::move(requirements).value());
}

std::string to_string(const SelectorRequirement& requirement) {
  std::string out;
  if (requirement.op == SelectorOperator::DoesNotExist) {
    out += "!";
  }
  out += requirement.key;
  const bool set_based =
      requirement.op == SelectorOperator::In || requirement.op == SelectorOperator::NotIn;
  switch (requirement.op) {
    case SelectorOperator::Exists:
    case SelectorOperator::DoesNotExist:
      return out;
    case SelectorOperator::In:
      out += " in ";
      break;
    case SelectorOperator::NotIn:
      out += " notin ";
      break;
    case SelectorOperator::GreaterThan:
      out += ">";
      break;
    case SelectorOperator::LessThan:
      out += "<";
      break;
    default:
      out += to_string(requirement.op);
  }
  if (set_based) {
    out += "(";
  }
  std::vector<std::string> values = requirement.values;
  std::sort(values.begin(), values.end());
  out += join(values, ",");
  if (set_based) {
    out += ")";
  }
  return out;
}

std::string to_string(const Selector& selector) {
  std::string out;
  for (const auto& r : selector.requirements()) {
    if (!out.empty()) {
      out += ",";
    }
    out += to_string(r);
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Selector& selector) {
  if (selector.matches_nothing()) {
    return os << "<nothing>";
  }
  return os << '"' << to_string(selector) << '"';
}

Selector selector_from_set(const Labels& labels) {
  std::vector<SelectorRequirement> requirements;
  requirements.reserve(labels.size());
  for (const auto& [key, value] : labels) {
    requirements.push_back({key, SelectorOperator::Equals, {value}});
  }
  return Selector(std::move(requirements));
}

Expected<Selector, ParseError> from_label_selector(const LabelSelector& selector) {
  std::vector<SelectorRequirement> requirements;
  requirements.reserve(selector.match_labels.size() + selector.match_expressions.size());
  for (const auto& [key, value] : selector.match_labels) {
    auto r = make_requirement(key, SelectorOperator::Equals, {value});
    if (!r) {
      return Unexpected(std::move(r).error());
    }
    requirements.push_back(std::move(r).value());
  }
  for (const auto& expr : selector.match_expressions) {
    const auto op = label_selector_operator(expr.op);
    if (!op) {
      return Unexpected(
          ParseError{strconv_quote(expr.op) + " is not a valid label selector operator", ""});
    }
    auto r = make_requirement(expr.key, *op, expr.values);
    if (!r) {
      return Unexpected(std::move(r).error());
    }
    requirements.push_back(std::move(r).value());
  }
  return Selector(std::move(requirements));
}

bool matches(const Selector& selector, const Labels& labels) { return selector.matches(labels); }

bool matches(const LabelSelector& selector, const Labels& labels) {
  const auto parsed = from_label_selector(selector);
  return parsed.has_value() && parsed->matches(labels);
}

std::optional<SelectorOperator> label_selector_operator(std::string_view op) {
  if (op == "In") {
    return SelectorOperator::In;
  }
  if (op == "NotIn") {
    return SelectorOperator::NotIn;
  }
  if (op == "Exists") {
    return SelectorOperator::Exists;
  }
  if (op == "DoesNotExist") {
    return SelectorOperator::DoesNotExist;
  }
  return std::nullopt;
}


}  // namespace korder::api
