#pragma once

// The audit log: one JSON object per API request — who (user, groups), what (verb, apiGroup,
// resource, subresource, namespace, name, or the path of a non-resource request) and the
// response code — appended as a line to a file and kept in memory for `GET /admin/audit`, so a
// test can compute which RBAC rules each component used. Requests are logged when their
// response starts (a watch: when the stream starts).

#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "korder/base/expected.h"
#include "rbac.h"

namespace korder::devcluster {

/// One audited request.
struct AuditEntry {
  std::string time;  // RFC 3339 with microseconds
  RequestAttributes attributes;
  int code = 0;
  /// The authorization decision, `allow` or `forbid` (empty when authentication failed), so a
  /// 403 of RBAC is told apart from a 403 of admission (a quota denial).
  std::string decision;
  /// Empty for requests; `blockOwnerDeletion` or `ownerReferences` for the authorization
  /// checks of OwnerReferencesPermissionEnforcement made inside a create or update.
  std::string check;
};

/// The entry as one line of compact JSON (no newline): {"time","user","groups","verb",
/// "apiGroup","apiVersion","resource","subresource","namespace","name","path","code","decision"[,"check"]}.
std::string audit_json(const AuditEntry& entry);

/// Thread-safe.
class AuditLog {
 public:
  /// Keeps at most `keep` entries in memory (the oldest go first).
  explicit AuditLog(std::size_t keep = 200000) : keep_(keep) {}
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  /// Appends every entry to `path` from now on (created if missing).
  Expected<void, std::string> open(const std::string& path);

  void record(const AuditEntry& entry);
  /// The entries kept, one JSON line each.
  std::string json_lines() const;
  std::size_t size() const;

 private:
  const std::size_t keep_;
  mutable std::mutex mu_;
  std::deque<std::string> lines_;  // guarded by mu_
  std::FILE* file_ = nullptr;      // guarded by mu_
};

}  // namespace korder::devcluster
