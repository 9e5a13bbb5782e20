#include "korder/api/lease.h"

#include "korder/api/json.h"

namespace korder::api {

DecodeResult from_json_value(const JsonValue& json, LeaseSpec& out) {
  JsonObjectReader r(json);
  r.field("holderIdentity", out.holder_identity)
      .field("leaseDurationSeconds", out.lease_duration_seconds)
      .field("acquireTime", out.acquire_time)
      .field("renewTime", out.renew_time)
      .field("leaseTransitions", out.lease_transitions);
  return r.finish(out.extras);
}

JsonValue to_json_value(const LeaseSpec& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("holderIdentity", in.holder_identity)
      .field("leaseDurationSeconds", in.lease_duration_seconds)
      .micro_time("acquireTime", in.acquire_time)
      .micro_time("renewTime", in.renew_time)
      .field("leaseTransitions", in.lease_transitions);
  return w.finish(in.extras);
}

DecodeResult from_json_value(const JsonValue& json, Lease& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("spec", out.spec);
  return r.finish(out.extras);
}

JsonValue to_json_value(const Lease& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field("spec", in.spec);
  return w.finish(in.extras);
}

Expected<Lease, ParseError> parse_lease(std::string_view json) { return decode<Lease>(json); }

std::string to_json(const Lease& lease) { return encode(lease); }

}  // namespace korder::api
