#pragma once

// ObjectMeta rules the API server applies to every kind: server-set fields, generateName,
// and validation of names, labels, annotations, finalizers and ownerReferences (with
// Kubernetes' messages, through libs/korder-api's names.h).

#include <random>
#include <string>
#include <string_view>

#include "json_access.h"
#include "korder/base/clock.h"
#include "korder/base/error.h"
#include "resource_info.h"

namespace korder::devcluster {

/// Random values the server assigns (uids, generated names). Not thread-safe.
class NameGenerator {
 public:
  explicit NameGenerator(std::uint64_t seed) : rng_(seed) {}
  /// A random RFC 4122 version 4 UUID.
  std::string uid();
  /// `prefix` (cut to 58 characters) plus 5 characters of `bcdfghjklmnpqrstvwxz2456789`.
  std::string generate_name(std::string_view prefix);

 private:
  std::mt19937_64 rng_;
};

/// Structural problems with `metadata` that make the body undecodable (400 BadRequest in
/// Kubernetes, e.g. a label value that is not a string). Empty when fine.
std::string metadata_decode_error(const JsonValue& object);

/// ValidateObjectMeta for a create or update of `info`: name (or generateName) per kind,
/// namespace presence, labels, annotations, finalizers, ownerReferences.
FieldErrors validate_object_meta(const ResourceInfo& info, const JsonValue& object);

/// ValidateObjectMetaUpdate: fields that may not change (uid, creationTimestamp handled by the
/// caller by copying); new finalizers while deletion is in progress.
FieldErrors validate_object_meta_update(const JsonValue& object, const JsonValue& old_object);

/// The `metadata` object of `doc`, created when missing.
JsonValue& metadata_of(JsonDocument& doc);

/// True when the object is being deleted (`metadata.deletionTimestamp` set).
bool is_terminating(const JsonValue& object);

/// Removes the read-only server fields a client may send on create (uid, resourceVersion,
/// creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, generation,
/// managedFields, selfLink) from `doc`.
void clear_server_fields(JsonDocument& doc);

/// Copies the server-owned metadata (uid, creationTimestamp, deletionTimestamp,
/// deletionGracePeriodSeconds, generation) from `old_object` into `doc`.
void keep_server_fields(JsonDocument& doc, const JsonValue& old_object);

/// Removes `finalizer` from metadata.finalizers; true when it was present.
bool remove_finalizer(JsonDocument& doc, std::string_view finalizer);

/// Adds `finalizer` to metadata.finalizers unless present; true when added.
bool add_finalizer(JsonDocument& doc, std::string_view finalizer);

/// True when `metadata.finalizers` is non-empty.
bool has_finalizers(const JsonValue& object);

}  // namespace korder::devcluster
