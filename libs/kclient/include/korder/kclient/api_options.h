#pragma once

// The options of API calls (metav1.GetOptions, ListOptions, CreateOptions, PatchOptions,
// DeleteOptions, and the watch form of ListOptions) and their wire forms. Plain data; the wire
// functions are pure so tests can check them without a server.
//
// Each struct declares a default constructor, which makes it a non-aggregate on purpose: g++ 12
// destroys an aggregate temporary twice when it is built inside a co_await expression, which is
// where these options are passed (`co_await client.async_get(ref, ns, name)` builds the default
// `GetOptions` there). Set the fields by name.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace korder::kclient {

/// metav1.GetOptions.
struct GetOptions {
  GetOptions() = default;

  /// Empty: the most recent state; "0": any state (may be served from the cache).
  std::string resource_version;
};

/// metav1.ListOptions for a list (one page).
struct ListOptions {
  ListOptions() = default;

  std::string label_selector;  // `a=b,c!=d,e in (x,y),!f`
  std::string field_selector;  // `metadata.name=x`
  /// Page size; 0 means no paging (the whole collection in one response).
  std::int64_t limit = 0;
  /// The `continue` token of the previous page.
  std::string continue_token;
  std::string resource_version;
  /// `Exact` or `NotOlderThan` (needs `resource_version`), or empty.
  std::string resource_version_match;
  std::optional<std::int64_t> timeout_seconds;
};

/// metav1.ListOptions for a watch (`watch=true`).
struct WatchOptions {
  WatchOptions() = default;

  std::string label_selector;
  std::string field_selector;
  /// Start after this version (a list's resourceVersion, or the last event's); empty or "0"
  /// starts with synthetic ADDED events for the current state.
  std::string resource_version;
  /// Ask for BOOKMARK events (resume points); client-go's reflector always does.
  bool allow_bookmarks = true;
  /// The server ends the watch cleanly after this long (client-go picks 5-10 minutes).
  std::optional<std::int64_t> timeout_seconds;
};

/// metav1.CreateOptions / UpdateOptions (same fields).
struct WriteOptions {
  WriteOptions() = default;

  /// Recorded in managedFields (`korder-order-controller`); empty: the server's default.
  std::string field_manager;
  bool dry_run = false;
  /// `Strict`, `Warn` or `Ignore`; empty: the server's default (Warn).
  std::string field_validation;
};
using CreateOptions = WriteOptions;
using UpdateOptions = WriteOptions;

/// The patch formats (the request's Content-Type).
enum class PatchType {
  Merge,           // application/merge-patch+json (RFC 7386)
  Json,            // application/json-patch+json (RFC 6902)
  Apply,           // application/apply-patch+yaml (server-side apply; the body may be JSON)
  StrategicMerge,  // application/strategic-merge-patch+json (built-in kinds only)
};

/// The Content-Type of `type`.
std::string_view content_type(PatchType type);

/// metav1.PatchOptions, plus the subresource to patch.
struct PatchOptions {
  PatchOptions() = default;

  /// Required for `PatchType::Apply`.
  std::string field_manager;
  /// Apply only: take fields other managers own (`force=true`).
  std::optional<bool> force;
  bool dry_run = false;
  std::string field_validation;
  /// `status` to patch the status subresource; empty for the object.
  std::string subresource;
};

/// The DeleteOptions propagation policies.
enum class PropagationPolicy { Orphan, Background, Foreground };

/// metav1.Preconditions: the delete happens only if the object still has this UID and/or
/// resourceVersion (else 409 Conflict).
struct Preconditions {
  Preconditions() = default;
  Preconditions(std::optional<std::string> uid_, std::optional<std::string> resource_version_)
      : uid(std::move(uid_)), resource_version(std::move(resource_version_)) {}

  std::optional<std::string> uid;
  std::optional<std::string> resource_version;
  bool operator==(const Preconditions&) const = default;
};

/// metav1.DeleteOptions, sent as the DELETE request's JSON body (as kubectl does).
struct DeleteOptions {
  DeleteOptions() = default;

  std::optional<Preconditions> preconditions;
  std::optional<PropagationPolicy> propagation_policy;
  std::optional<std::int64_t> grace_period_seconds;
  bool dry_run = false;
};

// ---- Wire forms --------------------------------------------------------------------------
// Query strings are empty or start with '?', with keys sorted as Go's url.Values.Encode sorts
// them and values escaped as url.QueryEscape does, so they match what kubectl sends.

std::string to_query(const GetOptions& options);
std::string to_query(const ListOptions& options);
/// Always has `watch=true`, and `allowWatchBookmarks=true` when asked.
std::string to_query(const WatchOptions& options);
std::string to_query(const WriteOptions& options);
std::string to_query(const PatchOptions& options);

/// The DELETE body: `{"gracePeriodSeconds":0,"preconditions":{"uid":"…","resourceVersion":"…"},
/// "propagationPolicy":"Background","dryRun":["All"]}` with only the fields set, or empty when
/// nothing is set (no body is sent then).
std::string to_json(const DeleteOptions& options);

}  // namespace korder::kclient
