#pragma once

// What differs between kinds when an object is written (kube-apiserver's REST strategies):
// defaults and server-set status on create, what an update may change, what bumps
// metadata.generation, kind-specific validation, and what keeps a deleted object alive.

#include <string>
#include <string_view>

#include "json_access.h"
#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "resource_info.h"

namespace korder::devcluster {

/// Kind-specific preparation of a new object (after metadata defaults, before validation):
/// pods get status.phase Pending, QoS class and spec defaults; namespaces the `kubernetes`
/// finalizer and phase Active; services a cluster IP; secrets' stringData moves into data;
/// CRDs defaults and their status.
void prepare_for_create(const ResourceInfo& info, JsonDocument& doc, TimePoint now);

/// Kind-specific preparation of an update (after status/spec split): defaults as on create,
/// CRD status recomputed.
void prepare_for_update(const ResourceInfo& info, JsonDocument& doc, const JsonValue& old_object,
                        TimePoint now);

/// Kind-specific validation of a new object.
FieldErrors validate_kind(const ResourceInfo& info, const JsonValue& object);

/// Kind-specific validation of an update (pods: spec immutable except images, tolerations
/// additions, removal of scheduling gates, and narrowing node selection while gated).
FieldErrors validate_kind_update(const ResourceInfo& info, const JsonValue& object,
                                 const JsonValue& old_object);

/// True when the update changes what metadata.generation tracks: anything outside metadata
/// (and outside status when the status subresource is on).
bool generation_changes(const ResourceInfo& info, const JsonValue& object,
                        const JsonValue& old_object);

/// True when a deleted object must wait: metadata.finalizers, or a namespace's
/// spec.finalizers.
bool has_pending_finalizers(const ResourceInfo& info, const JsonValue& object);

/// Marks a namespace Terminating (status.phase) when its deletion starts.
void mark_terminating(const ResourceInfo& info, JsonDocument& doc);

/// Pod spec defaults (restartPolicy, schedulerName, dnsPolicy, terminationGracePeriodSeconds,
/// per-container terminationMessagePath/Policy and imagePullPolicy).
void default_pod_spec(JsonValue& spec, JsonAllocator& alloc);

/// The pod's QoS class (BestEffort, Burstable, Guaranteed) from its containers' resources.
std::string pod_qos_class(const JsonValue& pod);

/// Validation of a pod create (containers with names and images).
FieldErrors validate_pod(const JsonValue& pod);

/// Kubernetes' pod update rules.
FieldErrors validate_pod_update(const JsonValue& pod, const JsonValue& old_pod);

}  // namespace korder::devcluster
