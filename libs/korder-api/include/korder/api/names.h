#pragma once

// Kubernetes' name and metadata validation (k8s.io/apimachinery/pkg/util/validation and
// pkg/api/validation/objectmeta.go, as of Kubernetes 1.28, our minimum). Every check returns its
// problems as messages worded exactly like Kubernetes', so callers can build the API server's
// field errors: `metadata.name: Invalid value: "X": <message>`.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "korder/base/error.h"

namespace korder::api {

/// Longest DNS (RFC 1123) label: object names of most kinds, namespace names, label values.
inline constexpr std::size_t kDns1123LabelMaxLength = 63;
/// Longest DNS (RFC 1123) subdomain: object names of most kinds, label key prefixes.
inline constexpr std::size_t kDns1123SubdomainMaxLength = 253;
/// Longest name part of a qualified name (label or annotation key after the optional prefix).
inline constexpr std::size_t kQualifiedNameMaxLength = 63;
/// Longest label value.
inline constexpr std::size_t kLabelValueMaxLength = 63;
/// Limit on the summed byte length of every annotation key and value of one object (256 KiB).
inline constexpr std::size_t kTotalAnnotationSizeLimitBytes = 256 * 1024;

/// Go's `validation.MaxLenError`: `must be no more than <n> characters`.
std::string max_len_error(std::size_t length);

/// `validation.IsDNS1123Label`: at most 63 characters of `[a-z0-9-]`, starting and ending with
/// an alphanumeric. Returns nothing when valid, else every problem found (length, format).
std::vector<std::string> is_dns1123_label(std::string_view value);

/// `validation.IsDNS1123Subdomain`: at most 253 characters; dot-separated RFC 1123 labels.
/// Returns nothing when valid, else every problem found.
std::vector<std::string> is_dns1123_subdomain(std::string_view value);

/// `validation.IsQualifiedName`, the rule for label keys, annotation keys and finalizers:
/// an optional DNS subdomain prefix and `/`, then a name of at most 63 characters of
/// `[-A-Za-z0-9_.]` that starts and ends with an alphanumeric. Messages name the part at fault
/// (`prefix part ...`, `name part ...`). Returns nothing when valid.
std::vector<std::string> is_qualified_name(std::string_view value);

/// `validation.IsValidLabelValue`: empty, or at most 63 characters of `[-A-Za-z0-9_.]` that
/// start and end with an alphanumeric. Returns nothing when valid.
std::vector<std::string> is_valid_label_value(std::string_view value);

/// `value` quoted as Go's `strconv.Quote` (the `%q` verb) does, which is how Kubernetes prints
/// the value in every `Invalid value: "X"` message: in double quotes, `"` and `\` escaped,
/// control characters as `\n`, `\t`, ... or `\xNN`, invalid UTF-8 bytes as `\xNN`. Valid
/// non-ASCII UTF-8 is kept as is (Go would also escape non-printable code points such as
/// U+200B; we do not classify Unicode).
std::string strconv_quote(std::string_view value);

/// Kubernetes' `field.Invalid`: a FieldError of type Invalid at `field` whose detail reads
/// `Invalid value: "<value>": <message>` (so `to_string()` gives the API server's wording).
FieldError field_invalid(std::string field, std::string_view value, std::string_view message);

/// metav1 validation's `ValidateLabels`: every key must be a qualified name and every value a
/// valid label value. Each problem is one Invalid error at `path` (e.g. `metadata.labels`),
/// naming the offending key or value, in key order.
FieldErrors validate_labels(const std::map<std::string, std::string>& labels,
                            const std::string& path);

/// `ValidateAnnotations`: every key must be a qualified name (compared in lower case, as
/// Kubernetes does) and keys plus values together must not exceed 262144 bytes (a TooLong
/// error `Too long: must have at most 262144 bytes`). Errors are reported at `path`.
FieldErrors validate_annotations(const std::map<std::string, std::string>& annotations,
                                 const std::string& path);

/// The labels and annotations part of `ValidateObjectMeta`: errors at `<path>.labels` and
/// `<path>.annotations` (path is e.g. `metadata` or `spec.template.metadata`; empty means the
/// metadata object itself is the root).
FieldErrors validate_object_meta_labels_and_annotations(
    const std::map<std::string, std::string>& labels,
    const std::map<std::string, std::string>& annotations, const std::string& path);

}  // namespace korder::api
