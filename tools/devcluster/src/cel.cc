#include "cel.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <vector>

namespace korder::devcluster {
namespace {

constexpr int kMaxDepth = 64;

const std::set<std::string, std::less<>> kVariables = {"object", "oldObject", "request"};

/// CEL's reserved words: property names spelled like them are written `__word__`.
const std::set<std::string, std::less<>> kReserved = {
    "true",     "false",   "null",      "in",       "as",  "break",  "const",
    "continue", "else",    "for",       "function", "if",  "import", "let",
    "loop",     "package", "namespace", "return",   "var", "void",   "while"};

// ---- values -------------------------------------------------------------------------------

struct Value {
  enum class Type { Null, Bool, Int, Double, String, List, Map };
  Type type = Type::Null;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
  const JsonValue* json = nullptr;  // List or Map from a variable
  std::vector<Value> items;         // List literal

  static Value boolean(bool v) {
    Value out;
    out.type = Type::Bool;
    out.b = v;
    return out;
  }
};

using Result = Expected<Value, std::string>;

std::string_view type_name(Value::Type t) {
  switch (t) {
    case Value::Type::Null:
      return "null_type";
    case Value::Type::Bool:
      return "bool";
    case Value::Type::Int:
      return "int";
    case Value::Type::Double:
      return "double";
    case Value::Type::String:
      return "string";
    case Value::Type::List:
      return "list";
    case Value::Type::Map:
      return "map";
  }
  return "unknown";
}

Value from_json(const JsonValue* json) {
  Value out;
  if (json == nullptr || json->IsNull()) {
    return out;
  }
  if (json->IsBool()) {
    return Value::boolean(json->GetBool());
  }
  if (json->IsInt64()) {
    out.type = Value::Type::Int;
    out.i = json->GetInt64();
  } else if (json->IsNumber()) {
    out.type = Value::Type::Double;
    out.d = json->GetDouble();
  } else if (json->IsString()) {
    out.type = Value::Type::String;
    out.s.assign(json->GetString(), json->GetStringLength());
  } else if (json->IsArray()) {
    out.type = Value::Type::List;
    out.json = json;
  } else {
    out.type = Value::Type::Map;
    out.json = json;
  }
  return out;
}

std::size_t list_size(const Value& list) {
  return list.json != nullptr ? list.json->Size() : list.items.size();
}

Value list_at(const Value& list, std::size_t index) {
  return list.json != nullptr ? from_json(&(*list.json)[static_cast<rapidjson::SizeType>(index)])
                              : list.items[index];
}

bool is_number(const Value& v) {
  return v.type == Value::Type::Int || v.type == Value::Type::Double;
}

double as_double(const Value& v) {
  return v.type == Value::Type::Int ? static_cast<double>(v.i) : v.d;
}

bool equal(const Value& a, const Value& b) {
  if (is_number(a) && is_number(b)) {
    if (a.type == Value::Type::Int && b.type == Value::Type::Int) {
      return a.i == b.i;
    }
    return as_double(a) == as_double(b);
  }
  if (a.type != b.type) {
    return false;  // heterogeneous equality: different types are never equal
  }
  switch (a.type) {
    case Value::Type::Null:
      return true;
    case Value::Type::Bool:
      return a.b == b.b;
    case Value::Type::String:
      return a.s == b.s;
    case Value::Type::List: {
      const std::size_t n = list_size(a);
      if (n != list_size(b)) {
        return false;
      }
      for (std::size_t k = 0; k < n; ++k) {
        if (!equal(list_at(a, k), list_at(b, k))) {
          return false;
        }
      }
      return true;
    }
    case Value::Type::Map:
      return json_equal(*a.json, *b.json);
    default:
      return false;
  }
}

// ---- lexer --------------------------------------------------------------------------------

struct Token {
  enum class Kind { Ident, Int, Double, String, Punct, End };
  Kind kind = Kind::End;
  std::string text;  // identifier, punctuation, or the decoded string
  std::int64_t i = 0;
  double d = 0;
  std::size_t column = 1;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Expected<std::vector<Token>, std::string> run() {
    std::vector<Token> out;
    while (true) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      Token token;
      token.column = pos_ + 1;
      if (pos_ >= text_.size()) {
        out.push_back(token);
        return out;
      }
      auto next = lex_one(token);
      if (!next) {
        return Unexpected(next.error());
      }
      out.push_back(std::move(token));
    }
  }

 private:
  std::string error(std::size_t column, std::string_view what) const {
    return "column " + std::to_string(column) + ": " + std::string(what);
  }

  Expected<void, std::string> lex_one(Token& token) {
    const char c = text_[pos_];
    const bool prefixed = (c == 'r' || c == 'R' || c == 'b' || c == 'B') &&
                          pos_ + 1 < text_.size() &&
                          (text_[pos_ + 1] == '\'' || text_[pos_ + 1] == '"');
    if (prefixed && (c == 'b' || c == 'B')) {
      return Unexpected(error(token.column, "unsupported: bytes literals"));
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      if (prefixed) {
        ++pos_;
        return lex_string(token, true);
      }
      const std::size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
      token.kind = Token::Kind::Ident;
      token.text = std::string(text_.substr(start, pos_ - start));
      return {};
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      return lex_number(token);
    }
    if (c == '\'' || c == '"') {
      return lex_string(token, false);
    }
    static const std::vector<std::string_view> kPuncts = {
        "==", "!=", "<=", ">=", "&&", "||", ".", "[", "]", "(", ")", ",",
        "!",  "<",  ">",  "-",  "+",  "*",  "/", "%", "?", ":", "{", "}"};
    for (std::string_view p : kPuncts) {
      if (text_.substr(pos_, p.size()) == p) {
        token.kind = Token::Kind::Punct;
        token.text = std::string(p);
        pos_ += p.size();
        return {};
      }
    }
    return Unexpected(error(token.column, "unexpected character '" + std::string(1, c) + "'"));
  }

  Expected<void, std::string> lex_number(Token& token) {
    const std::size_t start = pos_;
    bool is_double = false;
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
      pos_ += 2;
      while (pos_ < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
    } else {
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      if (pos_ + 1 < text_.size() && text_[pos_] == '.' &&
          std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]))) {
        is_double = true;
        ++pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
          ++pos_;
        }
      }
      if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
        is_double = true;
        ++pos_;
        if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
          ++pos_;
        }
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
          ++pos_;
        }
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'u' || text_[pos_] == 'U')) {
      return Unexpected(error(token.column, "unsupported: unsigned integer literals"));
    }
    const std::string literal(text_.substr(start, pos_ - start));
    errno = 0;
    char* end = nullptr;
    if (is_double) {
      token.kind = Token::Kind::Double;
      token.d = std::strtod(literal.c_str(), &end);
    } else {
      token.kind = Token::Kind::Int;
      token.i = std::strtoll(literal.c_str(), &end, 0);
    }
    if (errno != 0 || end == nullptr || *end != '\0') {
      return Unexpected(error(token.column, "invalid number literal " + literal));
    }
    return {};
  }

  Expected<void, std::string> lex_string(Token& token, bool raw) {
    const char quote = text_[pos_];
    if (text_.substr(pos_, 3) == std::string(3, quote)) {
      return Unexpected(error(token.column, "unsupported: triple-quoted strings"));
    }
    ++pos_;
    token.kind = Token::Kind::String;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (c == '\n') {
        break;
      }
      if (c != '\\' || raw) {
        token.text += c;
        continue;
      }
      if (pos_ >= text_.size()) {
        break;
      }
      c = text_[pos_++];
      switch (c) {
        case '\\':
        case '\'':
        case '"':
        case '`':
        case '?':
          token.text += c;
          break;
        case 'n':
          token.text += '\n';
          break;
        case 't':
          token.text += '\t';
          break;
        case 'r':
          token.text += '\r';
          break;
        default:
          return Unexpected(error(pos_ - 1, "unsupported escape sequence \\" + std::string(1, c)));
      }
    }
    if (pos_ >= text_.size() || text_[pos_] != quote) {
      return Unexpected(error(token.column, "unterminated string literal"));
    }
    ++pos_;
    return {};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

// ---- syntax tree --------------------------------------------------------------------------

struct CelExpression::Node {
  enum class Op { Literal, Ident, Select, Has, Index, List, Not, Neg, And, Or, Compare, In };
  Op op = Op::Literal;
  Value literal;
  std::string name;  // identifier, selected field, or comparison operator
  std::vector<std::shared_ptr<const Node>> kids;
};

namespace {

using Node = CelExpression::Node;
using NodePtr = std::shared_ptr<const Node>;
using ParseResult = Expected<NodePtr, std::string>;

std::string unescape_field(const std::string& name) {
  if (name.size() > 4 && name.starts_with("__") && name.ends_with("__")) {
    const std::string inner = name.substr(2, name.size() - 4);
    if (kReserved.count(inner) != 0) {
      return inner;
    }
  }
  std::string out;
  for (std::size_t k = 0; k < name.size();) {
    static const std::vector<std::pair<std::string_view, std::string_view>> kEscapes = {
        {"__underscores__", "__"}, {"__dot__", "."}, {"__dash__", "-"}, {"__slash__", "/"}};
    bool replaced = false;
    for (const auto& [from, to] : kEscapes) {
      if (std::string_view(name).substr(k, from.size()) == from) {
        out += to;
        k += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out += name[k++];
    }
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  ParseResult parse() {
    auto root = parse_or(0);
    if (!root) {
      return root;
    }
    if (peek().kind != Token::Kind::End) {
      return fail(peek(), "unexpected '" + describe(peek()) + "'");
    }
    return root;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  bool is_punct(std::string_view p) const {
    return peek().kind == Token::Kind::Punct && peek().text == p;
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Token::Kind::End:
        return "end of expression";
      case Token::Kind::String:
        return "'" + t.text + "'";
      case Token::Kind::Int:
        return std::to_string(t.i);
      case Token::Kind::Double:
        return "number";
      default:
        return t.text;
    }
  }
  ParseResult fail(const Token& at, std::string_view what) const {
    return Unexpected("column " + std::to_string(at.column) + ": " + std::string(what));
  }
  ParseResult unsupported_operator(const Token& at) const {
    return fail(at, "unsupported: operator '" + at.text +
                        "' (supported: has(), in, ==, !=, <, <=, >, >=, &&, ||, !, field "
                        "selection and indexing)");
  }

  static NodePtr make(Node::Op op, std::vector<NodePtr> kids, std::string name = "") {
    auto node = std::make_shared<Node>();
    node->op = op;
    node->kids = std::move(kids);
    node->name = std::move(name);
    return node;
  }

  ParseResult parse_or(int depth) {
    if (depth > kMaxDepth) {
      return fail(peek(), "expression nested too deeply");
    }
    auto left = parse_and(depth);
    while (left && is_punct("||")) {
      ++pos_;
      auto right = parse_and(depth);
      if (!right) {
        return right;
      }
      left = make(Node::Op::Or, {*left, *right});
    }
    if (left && is_punct("?")) {
      return fail(peek(), "unsupported: the conditional operator ?:");
    }
    return left;
  }

  ParseResult parse_and(int depth) {
    auto left = parse_relation(depth);
    while (left && is_punct("&&")) {
      ++pos_;
      auto right = parse_relation(depth);
      if (!right) {
        return right;
      }
      left = make(Node::Op::And, {*left, *right});
    }
    return left;
  }

  ParseResult parse_relation(int depth) {
    auto left = parse_unary(depth);
    while (left) {
      const Token& t = peek();
      const bool in = t.kind == Token::Kind::Ident && t.text == "in";
      const bool compare =
          t.kind == Token::Kind::Punct && (t.text == "==" || t.text == "!=" || t.text == "<" ||
                                           t.text == "<=" || t.text == ">" || t.text == ">=");
      if (t.kind == Token::Kind::Punct &&
          (t.text == "+" || t.text == "-" || t.text == "*" || t.text == "/" || t.text == "%")) {
        return unsupported_operator(t);
      }
      if (!in && !compare) {
        break;
      }
      const std::string op = t.text;
      ++pos_;
      auto right = parse_unary(depth);
      if (!right) {
        return right;
      }
      left =
          in ? make(Node::Op::In, {*left, *right}) : make(Node::Op::Compare, {*left, *right}, op);
    }
    return left;
  }

  ParseResult parse_unary(int depth) {
    if (depth > kMaxDepth) {
      return fail(peek(), "expression nested too deeply");
    }
    if (is_punct("!")) {
      ++pos_;
      auto operand = parse_unary(depth + 1);
      if (!operand) {
        return operand;
      }
      return make(Node::Op::Not, {*operand});
    }
    if (is_punct("-")) {
      ++pos_;
      auto operand = parse_unary(depth + 1);
      if (!operand) {
        return operand;
      }
      return make(Node::Op::Neg, {*operand});
    }
    return parse_member(depth);
  }

  ParseResult parse_member(int depth) {
    auto node = parse_primary(depth);
    while (node) {
      if (is_punct(".")) {
        ++pos_;
        const Token& field = peek();
        if (field.kind != Token::Kind::Ident) {
          return fail(field, "expected a field name after '.'");
        }
        ++pos_;
        if (is_punct("(")) {
          return fail(field, "unsupported: method call '" + field.text + "()'");
        }
        node = make(Node::Op::Select, {*node}, unescape_field(field.text));
      } else if (is_punct("[")) {
        ++pos_;
        auto index = parse_or(depth + 1);
        if (!index) {
          return index;
        }
        if (!is_punct("]")) {
          return fail(peek(), "expected ']'");
        }
        ++pos_;
        node = make(Node::Op::Index, {*node, *index});
      } else {
        break;
      }
    }
    return node;
  }

  ParseResult parse_has(const Token& at, int depth) {
    ++pos_;  // (
    auto arg = parse_or(depth + 1);
    if (!arg) {
      return arg;
    }
    if (!is_punct(")")) {
      return fail(peek(), "expected ')' to close has()");
    }
    ++pos_;
    if ((*arg)->op != Node::Op::Select) {
      return fail(at,
                  "invalid argument to has() macro: it takes a field selection such as "
                  "has(object.metadata.labels)");
    }
    return make(Node::Op::Has, {(*arg)->kids[0]}, (*arg)->name);
  }

  ParseResult parse_primary(int depth) {
    const Token t = peek();
    auto literal = [&](Value v) {
      ++pos_;
      auto node = std::make_shared<Node>();
      node->literal = std::move(v);
      return NodePtr(node);
    };
    switch (t.kind) {
      case Token::Kind::End:
        return fail(t, "unexpected end of expression");
      case Token::Kind::Int: {
        Value v;
        v.type = Value::Type::Int;
        v.i = t.i;
        return literal(v);
      }
      case Token::Kind::Double: {
        Value v;
        v.type = Value::Type::Double;
        v.d = t.d;
        return literal(v);
      }
      case Token::Kind::String: {
        Value v;
        v.type = Value::Type::String;
        v.s = t.text;
        return literal(v);
      }
      case Token::Kind::Ident:
        break;
      case Token::Kind::Punct:
        if (t.text == "(") {
          ++pos_;
          auto inner = parse_or(depth + 1);
          if (!inner) {
            return inner;
          }
          if (!is_punct(")")) {
            return fail(peek(), "expected ')'");
          }
          ++pos_;
          return inner;
        }
        if (t.text == "[") {
          return parse_list(depth);
        }
        if (t.text == "{") {
          return fail(t, "unsupported: map literals");
        }
        if (t.text == ".") {
          return fail(t, "unsupported: qualified names");
        }
        return fail(t, "unexpected '" + t.text + "'");
    }
    if (t.text == "true" || t.text == "false") {
      return literal(Value::boolean(t.text == "true"));
    }
    if (t.text == "null") {
      return literal(Value());
    }
    ++pos_;
    if (is_punct("(")) {
      if (t.text == "has") {
        return parse_has(t, depth);
      }
      return fail(t, "unsupported: function call '" + t.text + "()'");
    }
    if (kVariables.count(t.text) == 0) {
      return fail(t, "undeclared reference to '" + t.text +
                         "' (the variables are object, oldObject and request)");
    }
    return make(Node::Op::Ident, {}, t.text);
  }

  ParseResult parse_list(int depth) {
    ++pos_;  // [
    std::vector<NodePtr> items;
    while (!is_punct("]")) {
      auto item = parse_or(depth + 1);
      if (!item) {
        return item;
      }
      items.push_back(*item);
      if (is_punct(",")) {
        ++pos_;
      } else if (!is_punct("]")) {
        return fail(peek(), "expected ',' or ']' in a list");
      }
    }
    ++pos_;
    return make(Node::Op::List, std::move(items));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

// ---- evaluation ---------------------------------------------------------------------------

class Evaluator {
 public:
  explicit Evaluator(const CelVariables& variables) : variables_(variables) {}

  Result eval(const Node& node) {
    switch (node.op) {
      case Node::Op::Literal:
        return node.literal;
      case Node::Op::Ident: {
        auto it = variables_.find(node.name);
        return from_json(it == variables_.end() ? nullptr : it->second);
      }
      case Node::Op::Select:
        return select(node);
      case Node::Op::Has:
        return has(node);
      case Node::Op::Index:
        return index(node);
      case Node::Op::List:
        return list(node);
      case Node::Op::Not: {
        auto v = eval(*node.kids[0]);
        if (!v) {
          return v;
        }
        if (v->type != Value::Type::Bool) {
          return no_overload("!_", *v);
        }
        return Value::boolean(!v->b);
      }
      case Node::Op::Neg:
        return negate(node);
      case Node::Op::And:
      case Node::Op::Or:
        return logical(node, node.op == Node::Op::And);
      case Node::Op::Compare:
        return compare(node);
      case Node::Op::In:
        return in(node);
    }
    return Unexpected(std::string("unknown expression"));
  }

 private:
  static Result no_overload(std::string_view op, const Value& v) {
    return Unexpected("no such overload: " + std::string(op) + " on " +
                      std::string(type_name(v.type)));
  }

  Result select(const Node& node) {
    auto target = eval(*node.kids[0]);
    if (!target) {
      return target;
    }
    if (target->type != Value::Type::Map) {
      return Unexpected("no such key: " + node.name + " (selecting from " +
                        std::string(type_name(target->type)) + ")");
    }
    const JsonValue* member = find_member(*target->json, node.name);
    if (member == nullptr) {
      return Unexpected("no such key: " + node.name);
    }
    return from_json(member);
  }

  Result has(const Node& node) {
    auto target = eval(*node.kids[0]);
    if (!target) {
      return target;
    }
    if (target->type != Value::Type::Map) {
      return Unexpected("invalid type for field selection: has() on " +
                        std::string(type_name(target->type)));
    }
    const JsonValue* member = find_member(*target->json, node.name);
    return Value::boolean(member != nullptr && !member->IsNull());
  }

  Result index(const Node& node) {
    auto target = eval(*node.kids[0]);
    if (!target) {
      return target;
    }
    auto key = eval(*node.kids[1]);
    if (!key) {
      return key;
    }
    if (target->type == Value::Type::Map) {
      if (key->type != Value::Type::String) {
        return Unexpected("no such key: map index of type " + std::string(type_name(key->type)));
      }
      const JsonValue* member = find_member(*target->json, key->s);
      if (member == nullptr) {
        return Unexpected("no such key: " + key->s);
      }
      return from_json(member);
    }
    if (target->type == Value::Type::List) {
      if (key->type != Value::Type::Int) {
        return Unexpected("no such overload: list index of type " +
                          std::string(type_name(key->type)));
      }
      if (key->i < 0 || static_cast<std::size_t>(key->i) >= list_size(*target)) {
        return Unexpected("index out of range: " + std::to_string(key->i));
      }
      return list_at(*target, static_cast<std::size_t>(key->i));
    }
    return no_overload("_[_]", *target);
  }

  Result list(const Node& node) {
    Value out;
    out.type = Value::Type::List;
    for (const auto& kid : node.kids) {
      auto item = eval(*kid);
      if (!item) {
        return item;
      }
      out.items.push_back(std::move(*item));
    }
    return out;
  }

  Result negate(const Node& node) {
    auto v = eval(*node.kids[0]);
    if (!v) {
      return v;
    }
    if (v->type == Value::Type::Int) {
      v->i = -v->i;
      return v;
    }
    if (v->type == Value::Type::Double) {
      v->d = -v->d;
      return v;
    }
    return no_overload("-_", *v);
  }

  Result logical(const Node& node, bool is_and) {
    // CEL's commutative && and ||: the deciding value wins over an error on the other side.
    auto left = eval(*node.kids[0]);
    if (left && left->type == Value::Type::Bool && left->b != is_and) {
      return Value::boolean(!is_and);
    }
    auto right = eval(*node.kids[1]);
    if (right && right->type == Value::Type::Bool && right->b != is_and) {
      return Value::boolean(!is_and);
    }
    if (!left) {
      return left;
    }
    if (!right) {
      return right;
    }
    const std::string_view op = is_and ? "_&&_" : "_||_";
    if (left->type != Value::Type::Bool) {
      return no_overload(op, *left);
    }
    if (right->type != Value::Type::Bool) {
      return no_overload(op, *right);
    }
    return Value::boolean(is_and);
  }

  Result compare(const Node& node) {
    auto left = eval(*node.kids[0]);
    if (!left) {
      return left;
    }
    auto right = eval(*node.kids[1]);
    if (!right) {
      return right;
    }
    const std::string& op = node.name;
    if (op == "==") {
      return Value::boolean(equal(*left, *right));
    }
    if (op == "!=") {
      return Value::boolean(!equal(*left, *right));
    }
    int order = 0;
    if (is_number(*left) && is_number(*right)) {
      if (left->type == Value::Type::Int && right->type == Value::Type::Int) {
        order = left->i < right->i ? -1 : (left->i > right->i ? 1 : 0);
      } else {
        const double a = as_double(*left);
        const double b = as_double(*right);
        if (std::isnan(a) || std::isnan(b)) {
          return Value::boolean(false);
        }
        order = a < b ? -1 : (a > b ? 1 : 0);
      }
    } else if (left->type == Value::Type::String && right->type == Value::Type::String) {
      order = left->s.compare(right->s);
    } else if (left->type == Value::Type::Bool && right->type == Value::Type::Bool) {
      order = static_cast<int>(left->b) - static_cast<int>(right->b);
    } else {
      return Unexpected("no such overload: " + std::string(type_name(left->type)) + " " + op + " " +
                        std::string(type_name(right->type)));
    }
    if (op == "<") {
      return Value::boolean(order < 0);
    }
    if (op == "<=") {
      return Value::boolean(order <= 0);
    }
    if (op == ">") {
      return Value::boolean(order > 0);
    }
    return Value::boolean(order >= 0);
  }

  Result in(const Node& node) {
    auto element = eval(*node.kids[0]);
    if (!element) {
      return element;
    }
    auto container = eval(*node.kids[1]);
    if (!container) {
      return container;
    }
    if (container->type == Value::Type::Map) {
      if (element->type != Value::Type::String) {
        return Value::boolean(false);
      }
      return Value::boolean(find_member(*container->json, element->s) != nullptr);
    }
    if (container->type == Value::Type::List) {
      const std::size_t n = list_size(*container);
      for (std::size_t k = 0; k < n; ++k) {
        if (equal(*element, list_at(*container, k))) {
          return Value::boolean(true);
        }
      }
      return Value::boolean(false);
    }
    return no_overload("@in", *container);
  }

  const CelVariables& variables_;
};

}  // namespace

Expected<CelExpression, std::string> CelExpression::compile(std::string_view text) {
  auto tokens = Lexer(text).run();
  if (!tokens) {
    return Unexpected(tokens.error());
  }
  auto root = Parser(std::move(*tokens)).parse();
  if (!root) {
    return Unexpected(root.error());
  }
  const Node& node = **root;
  const bool not_bool = (node.op == Node::Op::Literal && node.literal.type != Value::Type::Bool) ||
                        node.op == Node::Op::List || node.op == Node::Op::Neg;
  if (not_bool) {
    return Unexpected(std::string("the expression must evaluate to a bool"));
  }
  return CelExpression(std::string(text), *root);
}

Expected<bool, std::string> CelExpression::evaluate_bool(const CelVariables& variables) const {
  auto value = Evaluator(variables).eval(*root_);
  if (!value) {
    return Unexpected(value.error());
  }
  if (value->type != Value::Type::Bool) {
    return Unexpected("expected a bool result, got " + std::string(type_name(value->type)));
  }
  return value->b;
}

}  // namespace korder::devcluster
