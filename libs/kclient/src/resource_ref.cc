#include "korder/kclient/resource_ref.h"

namespace korder::kclient {
namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void append_escaped(std::string& out, char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  out += '%';
  out += kHex[byte >> 4];
  out += kHex[byte & 0xF];
}

}  // namespace

std::string escape_path_segment(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_unreserved(c) || c == '$' || c == '&' || c == '+' || c == ':' || c == '=' || c == '@') {
      out += c;
    } else {
      append_escaped(out, c);
    }
  }
  return out;
}

std::string escape_query_value(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_unreserved(c)) {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      append_escaped(out, c);
    }
  }
  return out;
}

std::string ResourceRef::group_version_path() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ResourceRef::path(std::string_view namespace_, std::string_view name,
                              std::string_view subresource) const {
  std::string out = group_version_path();
  if (namespaced && !namespace_.empty()) {
    out += "/namespaces/" + escape_path_segment(namespace_);
  }
  out += "/" + resource;
  if (!name.empty()) {
    out += "/" + escape_path_segment(name);
    if (!subresource.empty()) {
      out += "/" + escape_path_segment(subresource);
    }
  }
  return out;
}

std::string ResourceRef::qualified_name() const {
  return group.empty() ? resource : resource + "." + group;
}

namespace resources {
namespace {
constexpr char kKorderGroup[] = "core.korder.dev";
constexpr char kKorderVersion[] = "v1alpha1";
}  // namespace

// Function-local statics: built on first use, thread-safe, no initialisation-order issues.
const ResourceRef& pods() {
  static const ResourceRef ref{"", "v1", "pods", true};
  return ref;
}
const ResourceRef& nodes() {
  static const ResourceRef ref{"", "v1", "nodes", false};
  return ref;
}
const ResourceRef& namespaces() {
  static const ResourceRef ref{"", "v1", "namespaces", false};
  return ref;
}
const ResourceRef& events() {
  static const ResourceRef ref{"", "v1", "events", true};
  return ref;
}
const ResourceRef& leases() {
  static const ResourceRef ref{"coordination.k8s.io", "v1", "leases", true};
  return ref;
}
const ResourceRef& orders() {
  static const ResourceRef ref{kKorderGroup, kKorderVersion, "orders", true};
  return ref;
}
const ResourceRef& tickets() {
  static const ResourceRef ref{kKorderGroup, kKorderVersion, "tickets", true};
  return ref;
}
const ResourceRef& quotas() {
  static const ResourceRef ref{kKorderGroup, kKorderVersion, "quotas", false};
  return ref;
}
}  // namespace resources

}  // namespace korder::kclient
