#include "pod_patch.h"

#include <cstddef>

#include "ticket_request.h"

namespace korder::webhook {
namespace {

// `text` as a JSON string, escaped as RapidJSON's Writer escapes (quote, backslash, control
// characters; other bytes as they are).
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      switch (c) {
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xF];
      }
    } else {
      out += c;
    }
  }
  out += '"';
}

// `{"op":"add","path":<path>,"value":` (the caller writes the value and the closing brace).
void append_add(std::string& out, std::string_view path) {
  out += R"({"op":"add","path":)";
  append_json_string(out, path);
  out += R"(,"value":)";
}

// Adds `key: value` to the map at `map_path`, creating the map when `exists` is false.
void append_add_to_map(std::string& out, std::string_view map_path, bool exists,
                       std::string_view key, std::string_view value) {
  if (exists) {
    std::string path(map_path);
    path += '/';
    path += json_pointer_escape(key);
    append_add(out, path);
    append_json_string(out, value);
  } else {
    append_add(out, map_path);
    out += '{';
    append_json_string(out, key);
    out += ':';
    append_json_string(out, value);
    out += '}';
  }
  out += '}';
}

}  // namespace

std::string json_pointer_escape(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 2);
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// The patches are written as text: a handful of fixed operations around a few strings (built
// as a RapidJSON document and written out, they cost ~2% of a dry-run review).
std::string claim_patch(const PodShape& pod, std::string_view ticket, std::string_view token) {
  std::string out;
  out.reserve(320 + 2 * ticket.size() + 2 * token.size());
  out += '[';
  append_add_to_map(out, "/metadata/labels", pod.has_labels, kTicketLabel, ticket);
  out += ',';
  append_add_to_map(out, "/metadata/annotations", pod.has_annotations, kClaimTokenAnnotation,
                    token);
  out += ',';
  if (!pod.has_scheduling_gates) {
    append_add(out, "/spec/schedulingGates");
    out += R"([{"name":)";
    append_json_string(out, kTicketSchedulingGate);
    out += "}]}";
  } else {
    append_add(out, "/spec/schedulingGates/-");
    out += R"({"name":)";
    append_json_string(out, kTicketSchedulingGate);
    out += "}}";
  }
  out += ']';
  return out;
}

std::string unassigned_patch(const PodShape& pod, std::string_view reason) {
  std::string out;
  out.reserve(160 + 2 * reason.size());
  out += '[';
  append_add_to_map(out, "/metadata/annotations", pod.has_annotations,
                    kUnassignedReasonAnnotation, reason);
  out += ']';
  return out;
}

}  // namespace korder::webhook
