#pragma once

// The JSON Patches (RFC 6902) the pod webhook answers with.

#include <string>
#include <string_view>

namespace korder::webhook {

/// `~` → `~0`, `/` → `~1` (RFC 6901), for a map key inside a JSON Pointer.
std::string json_pointer_escape(std::string_view key);

/// What a patch must know of the pod: which of the maps and lists it adds to exist already.
struct PodShape {
  bool has_labels = false;
  bool has_annotations = false;
  bool has_scheduling_gates = false;
};

/// The claim's mutation (DESIGN.md §3 step 4): label `korder.dev/ticket=<ticket>`, annotation
/// `korder.dev/claim-token=<token>` and the scheduling gate `korder.dev/ticket`, creating the
/// label map, annotation map and gate list when the pod has none. No node pin.
std::string claim_patch(const PodShape& pod, std::string_view ticket, std::string_view token);

/// The annotation `korder.dev/unassigned-reason=<reason>` (created or replaced).
std::string unassigned_patch(const PodShape& pod, std::string_view reason);

}  // namespace korder::webhook
