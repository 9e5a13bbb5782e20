#pragma once

// QuotaBackend: what the gRPC service needs from the quota engine (an interface, so the service
// can be tested against a fake and the engine without gRPC).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/base/error.h"
#include "korder/base/expected.h"
#include "object_summary.h"
#include "quota_snapshot.h"
#include "reservations.h"
#include "violation.h"

namespace korder::quota {

/// An admission question: the operation, the object after it, and (UPDATE) before it.
struct QuotaRequest {
  Operation operation = Operation::Create;
  ObjectSummary object;
  std::optional<ObjectSummary> old_object;
};

/// The answer.
struct Decision {
  bool allowed = true;
  /// Sorted by quota name (then by the order the keys were checked).
  std::vector<Violation> violations;
  /// The key of the hold recorded (Reserve only; absent when nothing was held).
  std::optional<ObjectKey> hold;
  std::vector<std::string> warnings;

  /// format_denial_message(violations): empty when allowed.
  std::string message() const { return format_denial_message(violations); }
};

/// Told when usage, holds or limits may have changed. Called with no engine lock held, on the
/// thread that made the change; must not block and must not (un)subscribe.
class UsageSubscriber {
 public:
  virtual void on_usage_changed() = 0;

 protected:
  ~UsageSubscriber() = default;
};

/// The quota decisions and reads the gRPC service serves. Thread-safe.
class QuotaBackend {
 public:
  virtual ~QuotaBackend() = default;

  /// Decides `request` and, when admitted, records a hold. A malformed request (missing name,
  /// UPDATE without old object, ...) is an error whose `where` names the field.
  virtual Expected<Decision, ParseError> reserve(QuotaRequest request) = 0;
  /// Decides `request` without recording anything.
  virtual Expected<Decision, ParseError> check(QuotaRequest request) = 0;
  /// Drops the hold of `key` (only if it was recorded for `uid`, when `uid` is not empty);
  /// returns whether one was dropped.
  virtual bool release(const ObjectKey& key, std::string_view uid) = 0;

  /// One quota now; nullopt when unknown.
  virtual std::optional<QuotaSnapshot> usage(const std::string& quota) = 0;
  /// The quotas that can cover objects of `ns`, sorted by name.
  virtual std::vector<QuotaSnapshot> usage_for_namespace(const std::string& ns) = 0;
  /// Every quota, sorted by name.
  virtual std::vector<QuotaSnapshot> usage_all() = 0;

  /// Registers `subscriber` until unsubscribe(), which returns only once no call to it runs.
  virtual void subscribe(UsageSubscriber& subscriber) = 0;
  virtual void unsubscribe(UsageSubscriber& subscriber) = 0;
};

}  // namespace korder::quota
