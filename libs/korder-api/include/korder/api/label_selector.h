#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// metav1.LabelSelectorRequirement. `op` keeps the wire spelling (`In`, `NotIn`, `Exists`,
/// `DoesNotExist`) so validation can report an unsupported value as the user wrote it.
struct LabelSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;

  bool operator==(const LabelSelectorRequirement&) const = default;
};

/// metav1.LabelSelector (the struct form). An empty selector matches everything; an absent
/// one (std::optional without value, where the API allows absence) matches nothing.
struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;

  bool operator==(const LabelSelector&) const = default;
};

/// The operators of a parsed selector (k8s.io/apimachinery/pkg/selection). `GreaterThan` and
/// `LessThan` compare the label's value as a 64-bit decimal integer; the string form spells
/// them `>` and `<`, the struct forms that have them (node affinity) `Gt` and `Lt`.
enum class SelectorOperator {
  Equals,        // key=value
  DoubleEquals,  // key==value
  NotEquals,     // key!=value
  In,            // key in (a,b)
  NotIn,         // key notin (a,b)
  Exists,        // key
  DoesNotExist,  // !key
  GreaterThan,   // key>1
  LessThan,      // key<1
};

/// `selection.Operator`'s spelling: `=`, `==`, `!=`, `in`, `notin`, `exists`, `!`, `gt`, `lt`.
std::string_view to_string(SelectorOperator op);

/// One requirement of a parsed selector (Kubernetes' `labels.Requirement`): key, operator and
/// values. Build it with make_requirement(), which validates it; a hand-built invalid one
/// still matches safely (a `Gt` without one integer value matches nothing).
struct SelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::Exists;
  std::vector<std::string> values;

  /// `labels.Requirement.Matches`: In/Equals need the key present with one of the values;
  /// NotIn/NotEquals match when the key is absent or its value is none of them; Exists and
  /// DoesNotExist test presence; GreaterThan/LessThan need the key present with an integer
  /// value strictly above/below the requirement's single integer.
  bool matches(const std::map<std::string, std::string>& labels) const;

  bool operator==(const SelectorRequirement&) const = default;
};

/// `labels.NewRequirement`: checks that the key is a qualified name, every value a valid
/// label value, In/NotIn have values, Equals/DoubleEquals/NotEquals exactly one,
/// Exists/DoesNotExist none, GreaterThan/LessThan exactly one integer. The error message is
/// Kubernetes' (`values: Invalid value: []string(nil): for 'in', 'notin' operators, values set
/// can't be empty`; several problems print as `[a, b]`). Values are kept in the given order.
/// As in Kubernetes, a negative GreaterThan/LessThan bound is rejected too: `-5` is an integer
/// but not a valid label value (this is also what node-affinity `Gt`/`Lt` conversion does).
Expected<SelectorRequirement, ParseError> make_requirement(std::string key, SelectorOperator op,
                                                           std::vector<std::string> values);

/// A parsed label selector (Kubernetes' `labels.Selector`): the AND of its requirements, kept
/// sorted by key. A default-constructed selector has no requirements and matches everything;
/// `Selector::nothing()` matches no object at all (what an absent selector means where the
/// API says so). Values are immutable in practice: add() returns a new selector.
class Selector {
 public:
  /// Matches everything (`labels.Everything()`).
  Selector() = default;
  /// The requirements as given, sorted by key (stable for equal keys); not validated.
  explicit Selector(std::vector<SelectorRequirement> requirements);

  /// `labels.Everything()`: no requirements.
  static Selector everything() { return Selector(); }
  /// `labels.Nothing()`: matches no label set and prints as the empty string.
  static Selector nothing();

  /// True when the selector does not restrict anything (no requirements, not nothing()).
  bool empty() const { return requirements_.empty() && !nothing_; }
  /// True only for nothing() (as `labels.MatchesNothing`; contradictions such as `a=1,a!=1`
  /// are not detected).
  bool matches_nothing() const { return nothing_; }
  /// The requirements, sorted by key. Empty for both everything() and nothing().
  const std::vector<SelectorRequirement>& requirements() const { return requirements_; }

  /// This selector plus `requirement`, sorted by key (`Selector.Add`). nothing() stays nothing.
  Selector add(SelectorRequirement requirement) const;

  /// True when every requirement matches `labels`; false for nothing().
  bool matches(const std::map<std::string, std::string>& labels) const;

  /// `RequiresExactMatch`: when the first requirement on `key` is `=`, `==` or `in` with exactly
  /// one value, that value (what an index lookup can use); otherwise nothing.
  std::optional<std::string> requires_exact_match(std::string_view key) const;

  bool operator==(const Selector&) const = default;

 private:
  std::vector<SelectorRequirement> requirements_;
  bool nothing_ = false;
};

/// `labels.Parse`: the string form `a=b,c!=d,e in (x,y),!f,g notin (z),h,i>1,j<2`.
/// Whitespace (space, tab, CR, LF) may surround tokens; the empty string is everything();
/// `x=` and `x in ()` mean the empty value; values inside parentheses are deduplicated and
/// sorted; requirements are sorted by key. Errors carry Kubernetes' messages, e.g.
/// `unable to parse requirement: found '', expected: identifier` or
/// `found ',', expected: !, identifier, or 'end of string'`; `where` is left empty for the
/// caller to fill with ParseError::at().
Expected<Selector, ParseError> parse_selector(std::string_view text);

/// `Requirement.String()`: `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`,
/// `key`, `!key`, `key>v`, `key<v`; values inside parentheses are printed sorted.
std::string to_string(const SelectorRequirement& requirement);

/// `Selector.String()`: the requirements (sorted by key) joined with `,`; everything() and
/// nothing() both print as the empty string. parse_selector(to_string(s)) gives back `s` for
/// parsed selectors.
std::string to_string(const Selector& selector);

std::ostream& operator<<(std::ostream& os, const Selector& selector);

/// `labels.SelectorFromSet`: `key=value` for every entry (an empty set is everything()).
/// Does not validate, as Kubernetes does not (nodeSelector-style exact matching).
Selector selector_from_set(const std::map<std::string, std::string>& labels);

/// `metav1.LabelSelectorAsSelector` for a present selector (turning an absent one into
/// Selector::nothing() is the caller's concern): an empty selector is everything();
/// matchLabels become `=` requirements and matchExpressions In/NotIn/Exists/DoesNotExist
/// requirements, each validated by make_requirement(). An unknown operator is an error naming
/// it: `"Gt" is not a valid label selector operator`.
Expected<Selector, ParseError> from_label_selector(const LabelSelector& selector);

/// The operator of a metav1.LabelSelectorRequirement's wire spelling (`In`, `NotIn`, `Exists`,
/// `DoesNotExist`); nullopt for anything else. Node selector requirements add `Gt`/`Lt`.
std::optional<SelectorOperator> label_selector_operator(std::string_view op);

/// `selector.matches(labels)`.
bool matches(const Selector& selector, const std::map<std::string, std::string>& labels);

/// Converts `selector` with from_label_selector() and matches `labels`. An invalid selector
/// matches nothing; call from_label_selector() to learn why it is invalid.
bool matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels);

}  // namespace korder::api
