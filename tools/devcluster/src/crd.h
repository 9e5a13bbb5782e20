#pragma once

// CustomResourceDefinitions: what a CRD object must look like, the resources it defines, and
// the status the API server gives it (NamesAccepted and Established, so `kubectl wait
// --for condition=established` works).

#include <vector>

#include "json_access.h"
#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "resource_info.h"

namespace korder::devcluster {

/// Fills the defaults kube-apiserver gives a CRD (names.singular, names.listKind,
/// conversion.strategy None).
void default_crd(JsonValue& crd, JsonAllocator& alloc);

/// Validates a CRD (after defaulting): name = plural.group, group with a dot, names, scope,
/// versions (one storage version, each with a structural schema).
FieldErrors validate_crd(const JsonValue& crd);

/// The resources defined by a CRD, one per served version.
std::vector<ResourceInfo> crd_resources(const JsonValue& crd);

/// Sets `status` (acceptedNames, NamesAccepted/Established conditions, storedVersions), keeping
/// condition transition times from `old_crd` when it is given and the status is unchanged.
void set_crd_status(JsonValue& crd, JsonAllocator& alloc, TimePoint now, const JsonValue* old_crd);

}  // namespace korder::devcluster
