#pragma once

// Conversions between korder.quota.v1 messages and the engine's types.

#include "korder/base/error.h"
#include "korder/base/expected.h"
#include "korder/quota/v1/quota.pb.h"
#include "quota_backend.h"
#include "quota_snapshot.h"

namespace korder::quota {

/// The engine request of a Reserve call. Errors name the field (`object.kind: ...`,
/// `object.requests[cpu]: invalid quantity "x": ...`, `object.duration: time: invalid duration
/// "3x"`, `operation: ...`); the engine checks the rest (validate_request).
Expected<QuotaRequest, ParseError> from_proto(const v1::ReserveRequest& request);
/// The same for Check.
Expected<QuotaRequest, ParseError> from_proto(const v1::CheckRequest& request);
/// An ObjectSummary message; `field` prefixes error paths (`object`, `old_object`).
Expected<ObjectSummary, ParseError> from_proto(const v1::ObjectSummary& object,
                                               const std::string& field);

void to_proto(const Decision& decision, v1::ReserveResponse& out);
void to_proto(const Decision& decision, v1::CheckResponse& out);
void to_proto(const Violation& violation, v1::Violation& out);
/// A quota's usage: one ResourceUsage per key of the effective hard (sorted), free = hard -
/// used - held floored at zero, allocations in spec order.
void to_proto(const QuotaSnapshot& snapshot, v1::QuotaUsage& out);

/// The wire enum of an engine value, and back.
v1::ObjectKind to_proto(ObjectKind kind);

}  // namespace korder::quota
