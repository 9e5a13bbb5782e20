// DELETE: preconditions, propagation policy finalizers, graceful pod deletion, finalizers and
// deletionTimestamp, and the final removal.
#include "kind_rules.h"
#include "korder/api/time.h"
#include "registry.h"

namespace korder::devcluster {
namespace {

constexpr int kMaxDeleteAttempts = 16;

}  // namespace

ApiResult<ObjectPtr> Registry::finalize_delete(const ResourceInfo& info, const ObjectPtr& current,
                                               std::optional<JsonDocument> final_state) {
  auto removed = store_.remove(info.storage_id(), current->namespace_, current->name, current->rv,
                               std::move(final_state));
  if (!removed) {
    return Unexpected(commit_error(info, current->name, removed.error()));
  }
  after_write(info, *removed, true);
  return *removed;
}

Awaitable<ApiResult<DeleteResult>> Registry::remove(const ResourceInfo& info,
                                                    std::string namespace_, std::string name,
                                                    DeleteOptions options) {
  const std::string ns = info.namespaced ? namespace_ : "";
  const std::string& policy = options.propagation_policy;
  if (!policy.empty() && policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    co_return Unexpected(invalid(
        "DeleteOptions", ErrorSubject{"", "", "", ""},
        {FieldError{
            FieldError::Type::NotSupported, "propagationPolicy",
            "Unsupported value: \"" + policy +
                "\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""}}));
  }
  WriteOptions write_options;
  write_options.dry_run = options.dry_run;
  for (int attempt = 0; attempt < kMaxDeleteAttempts; ++attempt) {
    ObjectPtr current = store_.get(info.storage_id(), ns, name);
    if (current == nullptr) {
      co_return Unexpected(not_found(info.subject(name)));
    }
    if (options.precondition_uid && *options.precondition_uid != current->uid) {
      co_return Unexpected(
          conflict(info.subject(name),
                   "Precondition failed: UID in precondition: " + *options.precondition_uid +
                       ", UID in object meta: " + current->uid));
    }
    const std::string current_rv = std::to_string(current->rv);
    if (options.precondition_rv && *options.precondition_rv != current_rv) {
      co_return Unexpected(conflict(
          info.subject(name),
          "Precondition failed: ResourceVersion in precondition: " + *options.precondition_rv +
              ", ResourceVersion in object meta: " + current_rv));
    }
    auto admitted = co_await admit(info, AdmissionOperation::Delete, "", nullptr, &current->doc,
                                   write_options, false);
    if (!admitted) {
      co_return Unexpected(std::move(admitted).error());
    }
    DeleteResult result;
    result.warnings = std::move(*admitted);

    JsonDocument doc = copy_document(current->doc);
    // The garbage collector's finalizers; skipped when there is nothing to collect, which is
    // what the collector would conclude at once.
    const bool has_dependents = !current->uid.empty() && !store_.dependents(current->uid).empty();
    if (has_dependents && policy == "Foreground") {
      add_finalizer(doc, "foregroundDeletion");
    } else if (has_dependents && policy == "Orphan") {
      add_finalizer(doc, "orphan");
    }
    // As the pod strategy's CheckGracefulDelete: only a pod a kubelet runs (bound, not yet
    // Succeeded or Failed) terminates gracefully.
    const std::string_view phase = string_at(current->doc, {"status", "phase"});
    const bool graceful_pod =
        info.rules == KindRules::Pod && graceful_pod_deletion_ &&
        !string_at(current->doc, {"spec", "nodeName"}).empty() && phase != "Succeeded" &&
        phase != "Failed" &&
        options.grace_period_seconds.value_or(
            int_at(current->doc, {"spec", "terminationGracePeriodSeconds"}).value_or(30)) > 0;
    if (!has_pending_finalizers(info, doc) && !graceful_pod) {
      if (options.dry_run) {
        result.object = current;
        result.deleted_now = true;
        co_return result;
      }
      auto removed = finalize_delete(info, current, std::nullopt);
      if (!removed) {
        if (removed.error().code == 409) {
          continue;
        }
        co_return Unexpected(std::move(removed).error());
      }
      result.object = *removed;
      result.deleted_now = true;
      co_return result;
    }
    if (!is_terminating(doc)) {
      auto& alloc = doc.GetAllocator();
      const TimePoint now = clock_.now();
      std::int64_t grace = 0;
      if (graceful_pod) {
        grace = options.grace_period_seconds.value_or(
            int_at(current->doc, {"spec", "terminationGracePeriodSeconds"}).value_or(30));
      }
      set_string(metadata_of(doc), "deletionTimestamp",
                 api::format_rfc3339(now + std::chrono::seconds(grace)), alloc);
      set_member(metadata_of(doc), "deletionGracePeriodSeconds", JsonValue(grace), alloc);
      mark_terminating(info, doc);
    } else if (info.rules == KindRules::Pod && options.grace_period_seconds &&
               *options.grace_period_seconds <
                   int_at(doc, {"metadata", "deletionGracePeriodSeconds"}).value_or(0)) {
      // A second delete may shorten a pod's grace period (never lengthen it), as in Kubernetes.
      const std::int64_t grace = std::max<std::int64_t>(0, *options.grace_period_seconds);
      set_string(metadata_of(doc), "deletionTimestamp",
                 api::format_rfc3339(clock_.now() + std::chrono::seconds(grace)),
                 doc.GetAllocator());
      set_member(metadata_of(doc), "deletionGracePeriodSeconds", JsonValue(grace),
                 doc.GetAllocator());
    }
    if (json_equal(doc, current->doc)) {
      result.object = current;  // already terminating: nothing changes
      co_return result;
    }
    if (options.dry_run) {
      result.object = make_stored(std::move(doc), 0);
      co_return result;
    }
    auto stored = store_.update(info.storage_id(), std::move(doc), current->rv);
    if (!stored) {
      continue;
    }
    result.object = *stored;
    co_return result;
  }
  co_return Unexpected(conflict_modified(info.subject(name)));
}

}  // namespace korder::devcluster
