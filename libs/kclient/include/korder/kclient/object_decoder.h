#pragma once

// Typed decoding for the watcher: list pages and watch events into `std::shared_ptr<const T>`
// through the korder::api codecs, one object at a time, so that one object korder cannot
// decode is reported and skipped instead of failing the whole list or watch.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "korder/api/json.h"
#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/watch_event.h"
#include "korder/kclient/watcher.h"

namespace korder::kclient {

/// How the informer decodes objects.
struct DecodeOptions {
  /// Drop `metadata.managedFields` before decoding (client-go's `TransformStripManagedFields`):
  /// controllers never read them, they cost about 600 bytes per cached Ticket, and an update
  /// that omits them leaves the server's copy unchanged.
  bool strip_managed_fields = true;
};

/// One object that failed to decode: its key (`ns/name`, when the JSON has them) and why.
struct DecodeFailure {
  std::string key;
  std::string message;

  bool operator==(const DecodeFailure&) const = default;
};

namespace detail {

/// `json[name]` when it is a string, else empty.
inline std::string_view string_member(const api::JsonValue& json, const char* name) {
  if (!json.IsObject()) {
    return {};
  }
  const auto it = json.FindMember(name);
  if (it == json.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

/// `json.metadata[name]` when it is a string, else empty.
inline std::string_view metadata_member(const api::JsonValue& json, const char* name) {
  if (!json.IsObject()) {
    return {};
  }
  const auto it = json.FindMember("metadata");
  return it == json.MemberEnd() ? std::string_view() : string_member(it->value, name);
}

/// The key an undecodable object's JSON claims, for the failure report.
inline std::string claimed_key(const api::JsonValue& json) {
  const std::string_view ns = metadata_member(json, "namespace");
  const std::string_view name = metadata_member(json, "name");
  return ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
}

/// Decodes one object; on failure records it in `failures` and returns null.
template <typename T>
std::shared_ptr<const T> decode_object(api::JsonValue& json, const DecodeOptions& options,
                                       std::vector<DecodeFailure>& failures) {
  if (options.strip_managed_fields && json.IsObject()) {
    const auto metadata = json.FindMember("metadata");
    if (metadata != json.MemberEnd() && metadata->value.IsObject()) {
      metadata->value.RemoveMember("managedFields");
    }
  }
  auto decoded = api::decode_value<T>(json);
  if (!decoded) {
    failures.push_back({claimed_key(json), decoded.error().to_string()});
    return nullptr;
  }
  return std::make_shared<const T>(std::move(decoded).value());
}

}  // namespace detail

/// Decodes one page of a list response (`{"metadata":{"resourceVersion":…,"continue":…},
/// "items":[…]}`). Items that fail to decode are left out and appended to `failures`. Errors:
/// a body that is not JSON, or has no `items` array (`Unknown`, naming the problem).
template <typename T>
Expected<watcher::ListPage<T>, ApiError> decode_list_page(std::string_view body,
                                                          std::vector<DecodeFailure>& failures,
                                                          const DecodeOptions& options = {}) {
  api::JsonDocument doc;
  if (auto parsed = api::parse_json(body, doc); !parsed) {
    return Unexpected(ApiError::unknown("decoding list: " + parsed.error().to_string()));
  }
  api::JsonValue& root = doc;
  const auto items = root.IsObject() ? root.FindMember("items") : root.MemberEnd();
  if (!root.IsObject() || items == root.MemberEnd() ||
      !(items->value.IsArray() || items->value.IsNull())) {
    return Unexpected(ApiError::unknown("decoding list: no items array"));
  }
  watcher::ListPage<T> page;
  page.resource_version = std::string(detail::metadata_member(root, "resourceVersion"));
  page.continue_token = std::string(detail::metadata_member(root, "continue"));
  if (items->value.IsNull()) {
    return page;  // Go encodes an empty slice of some lists as null
  }
  page.objects.reserve(items->value.Size());
  for (api::JsonValue& item : items->value.GetArray()) {
    if (auto object = detail::decode_object<T>(item, options, failures)) {
      page.objects.push_back(std::move(object));
    }
  }
  return page;
}

/// Decodes the object of one watch event. A BOOKMARK gives no object, only its
/// resourceVersion. An object that fails to decode (or an `object` that is not JSON) is
/// appended to `failures` and gives no object, but its resourceVersion is still reported, so
/// the watch moves past it.
template <typename T>
watcher::WatchItem<T> decode_watch_item(const WatchEvent& event,
                                        std::vector<DecodeFailure>& failures,
                                        const DecodeOptions& options = {}) {
  watcher::WatchItem<T> item;
  item.type = event.type;
  api::JsonDocument doc;
  if (auto parsed = api::parse_json(event.object, doc); !parsed) {
    failures.push_back({"", "decoding watch event: " + parsed.error().to_string()});
    return item;
  }
  api::JsonValue& json = doc;
  item.resource_version = std::string(detail::metadata_member(json, "resourceVersion"));
  if (event.type == WatchEventType::Added || event.type == WatchEventType::Modified ||
      event.type == WatchEventType::Deleted) {
    item.object = detail::decode_object<T>(json, options, failures);
  }
  return item;
}

}  // namespace korder::kclient
