#include "korder/api/list.h"

#include "korder/api/event.h"
#include "korder/api/json.h"
#include "korder/api/lease.h"
#include "korder/api/namespace.h"
#include "korder/api/node.h"
#include "korder/api/order.h"
#include "korder/api/pod.h"
#include "korder/api/quota.h"
#include "korder/api/ticket.h"

namespace korder::api {

template <typename T>
DecodeResult from_json_value(const JsonValue& json, List<T>& out) {
  JsonObjectReader r(json);
  r.field("apiVersion", out.api_version)
      .field("kind", out.kind)
      .field("metadata", out.metadata)
      .field("items", out.items);
  return r.finish(out.extras);
}

template <typename T>
JsonValue to_json_value(const List<T>& in, JsonAllocator& alloc) {
  JsonObjectWriter w(alloc);
  w.field("apiVersion", in.api_version)
      .field("kind", in.kind)
      .field_always("metadata", in.metadata)
      .field_always("items", in.items);
  return w.finish(in.extras);
}

template <typename T>
Expected<List<T>, ParseError> parse_list(std::string_view json) {
  return decode<List<T>>(json);
}

template <typename T>
std::string to_json(const List<T>& list) {
  return encode(list);
}

#define KORDER_INSTANTIATE_LIST(T)                                               \
  template DecodeResult from_json_value<T>(const JsonValue& json, List<T>& out); \
  template JsonValue to_json_value<T>(const List<T>& in, JsonAllocator& alloc);  \
  template Expected<List<T>, ParseError> parse_list<T>(std::string_view json);   \
  template std::string to_json<T>(const List<T>& list);

KORDER_INSTANTIATE_LIST(Order)
KORDER_INSTANTIATE_LIST(Ticket)
KORDER_INSTANTIATE_LIST(Quota)
KORDER_INSTANTIATE_LIST(Pod)
KORDER_INSTANTIATE_LIST(Node)
KORDER_INSTANTIATE_LIST(Namespace)
KORDER_INSTANTIATE_LIST(Event)
KORDER_INSTANTIATE_LIST(Lease)

#undef KORDER_INSTANTIATE_LIST

}  // namespace korder::api
