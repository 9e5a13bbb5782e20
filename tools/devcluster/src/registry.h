#pragma once

// The generic write and read semantics of the API server over the Store (kube-apiserver's
// registry.Store with its REST strategies): create with generateName, update with optimistic
// concurrency, patches, the status subresource, metadata.generation, finalizers and
// deletionTimestamp, DeleteOptions, pods/binding, dry runs, field validation, admission, and
// the side effects of CRD and namespace writes.
//
// Thread-safe. Methods are coroutines because admission may call out; with no admission plugin
// they complete without suspending.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "admission.h"
#include "api_error.h"
#include "asio.h"
#include "korder/base/clock.h"
#include "object_meta.h"
#include "resource_info.h"
#include "store.h"

namespace korder::devcluster {

/// `fieldValidation`: what to do with fields the schema does not declare.
enum class FieldValidation { Ignore, Warn, Strict };

/// Query options of a write.
struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
  FieldValidation field_validation = FieldValidation::Warn;
};

/// The answer to a write.
struct WriteResult {
  ObjectPtr object;  // stored (or, for a dry run, would-be) object
  bool created = false;
  bool deleted = false;  // an update that removed the last finalizer deleted the object
  std::vector<std::string> warnings;
};

/// The patch formats.
enum class PatchType { Merge, Json, Strategic, Apply };

/// DeleteOptions (body or query).
struct DeleteOptions {
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_rv;
  std::string propagation_policy;  // Background (default), Foreground, Orphan
  std::optional<std::int64_t> grace_period_seconds;
  bool dry_run = false;
};

/// The answer to a delete.
struct DeleteResult {
  ObjectPtr object;
  bool deleted_now = false;  // false: finalizers keep it (deletionTimestamp set)
  std::vector<std::string> warnings;
};

template <typename T>
using ApiResult = Expected<T, ApiError>;

/// The registry.
class Registry {
 public:
  Registry(Store& store, ResourceCatalog& catalog, const Clock& clock, std::uint64_t seed);

  /// Installs an admission chain (null: none). Not thread-safe with requests in flight.
  void set_admission(AdmissionPlugin* admission) { admission_ = admission; }
  /// When true, deleting a bound pod with a grace period only sets deletionTimestamp (a
  /// kubelet finishes it); when false (no kubelet), pods are removed at once.
  void set_graceful_pod_deletion(bool graceful) { graceful_pod_deletion_ = graceful; }

  Store& store() { return store_; }
  ResourceCatalog& catalog() { return catalog_; }
  const Clock& clock() const { return clock_; }

  /// GET of one object.
  ApiResult<ObjectPtr> get(const ResourceInfo& info, const std::string& namespace_,
                           const std::string& name) const;

  /// POST: creates `body` in `namespace_`.
  Awaitable<ApiResult<WriteResult>> create(const ResourceInfo& info, std::string namespace_,
                                           JsonDocument body, WriteOptions options);

  /// PUT of the object or its `status` subresource.
  Awaitable<ApiResult<WriteResult>> update(const ResourceInfo& info, std::string namespace_,
                                           std::string name, std::string subresource,
                                           JsonDocument body, WriteOptions options);

  /// PATCH of the object or its `status` subresource. An apply patch creates a missing object.
  Awaitable<ApiResult<WriteResult>> patch(const ResourceInfo& info, std::string namespace_,
                                          std::string name, std::string subresource, PatchType type,
                                          std::string body, WriteOptions options);

  /// DELETE.
  Awaitable<ApiResult<DeleteResult>> remove(const ResourceInfo& info, std::string namespace_,
                                            std::string name, DeleteOptions options);

  /// POST pods/NAME/binding.
  Awaitable<ApiResult<WriteResult>> bind(std::string namespace_, std::string name,
                                         JsonDocument binding, WriteOptions options);

 private:
  struct Prepared;
  using Transform = std::function<ApiResult<JsonDocument>(const ObjectPtr& current)>;

  Awaitable<ApiResult<WriteResult>> update_loop(const ResourceInfo& info, std::string namespace_,
                                                std::string name, std::string subresource,
                                                Transform transform, bool put, WriteOptions options,
                                                bool create_if_missing);
  ApiResult<void> check_namespace(const ResourceInfo& info, const std::string& namespace_,
                                  const std::string& name) const;
  ApiResult<std::vector<std::string>> normalize_fields(const ResourceInfo& info, JsonDocument& doc,
                                                       const WriteOptions& options) const;
  ApiResult<void> validate(const ResourceInfo& info, const JsonDocument& doc,
                           const JsonValue* old_object) const;
  Awaitable<ApiResult<std::vector<std::string>>> admit(
      const ResourceInfo& info, AdmissionOperation op, std::string subresource,
      JsonDocument* object, const JsonValue* old_object, const WriteOptions& options, bool mutate);
  ApiResult<ObjectPtr> finalize_delete(const ResourceInfo& info, const ObjectPtr& current,
                                       std::optional<JsonDocument> final_state);
  void after_write(const ResourceInfo& info, const ObjectPtr& object, bool deleted);
  std::string new_uid();
  std::string new_name(std::string_view prefix);
  ApiError commit_error(const ResourceInfo& info, const std::string& name, CommitError e) const;

  Store& store_;
  ResourceCatalog& catalog_;
  const Clock& clock_;
  AdmissionPlugin* admission_ = nullptr;
  bool graceful_pod_deletion_ = false;
  std::mutex rng_mu_;
  NameGenerator names_;  // guarded by rng_mu_
};

/// The warning text for an unknown field (`unknown field "spec.foo"`).
std::string unknown_field_warning(const std::string& path);

}  // namespace korder::devcluster
