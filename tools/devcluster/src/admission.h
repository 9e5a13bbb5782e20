#pragma once

// The admission seam of the write path. The registry calls the plugin (if one is set) for every
// create, update and delete, as kube-apiserver runs its admission chain:
//   create: defaults -> mutate (no name yet for generateName, no uid) -> name/uid assigned ->
//           validation -> validate -> store
//   update: defaults -> mutate -> validation -> validate -> store
//   delete: validate (object null, old_object the stored object) -> delete
// Both calls are coroutines, so a plugin may call out (webhooks) while the request waits; the
// webhook may call back into the devcluster meanwhile.

#include <optional>
#include <string>
#include <vector>

#include "api_error.h"
#include "asio.h"
#include "json_access.h"
#include "resource_info.h"

namespace korder::devcluster {

/// CREATE, UPDATE or DELETE (the operation actually performed: a PATCH that creates is CREATE).
enum class AdmissionOperation { Create, Update, Delete };

/// One admission review of a write.
struct AdmissionRequest {
  const ResourceInfo* resource = nullptr;
  std::string subresource;  // "", "status", "binding"
  AdmissionOperation operation = AdmissionOperation::Create;
  std::string namespace_;
  std::string name;  // empty on a create from generateName during mutation
  /// The new object (null for DELETE). Mutating plugins change it in place.
  JsonDocument* object = nullptr;
  /// The stored object (null for CREATE).
  const JsonValue* old_object = nullptr;
  bool dry_run = false;
  std::string field_manager;
};

/// A plugin's verdict: an error rejects the request; warnings reach the client as `Warning`
/// headers either way.
struct AdmissionResult {
  std::optional<ApiError> error;
  std::vector<std::string> warnings;
};

/// An admission chain (the next helper implements webhooks with it).
class AdmissionPlugin {
 public:
  virtual ~AdmissionPlugin() = default;
  /// Mutating admission: may change `*request.object`.
  virtual Awaitable<AdmissionResult> mutate(AdmissionRequest& request) = 0;
  /// Validating admission: must not change anything.
  virtual Awaitable<AdmissionResult> validate(const AdmissionRequest& request) = 0;
};

}  // namespace korder::devcluster
