#pragma once

// The pod's narrowing of candidate tickets (DESIGN.md §3 step 1): the annotations
// `korder.dev/order: <order>` and `korder.dev/ticket-request: name:<ticket> |
// selector:<k=v,...> | group:<group>`.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "korder/api/label_selector.h"
#include "korder/base/expected.h"

namespace korder::webhook {

inline constexpr std::string_view kRequiredAnnotation = "korder.dev/required";
inline constexpr std::string_view kOrderAnnotation = "korder.dev/order";
inline constexpr std::string_view kTicketRequestAnnotation = "korder.dev/ticket-request";
inline constexpr std::string_view kClaimTokenAnnotation = "korder.dev/claim-token";
inline constexpr std::string_view kUnassignedReasonAnnotation = "korder.dev/unassigned-reason";
inline constexpr std::string_view kTicketLabel = "korder.dev/ticket";
inline constexpr std::string_view kOrderLabel = "korder.dev/order";
inline constexpr std::string_view kGroupLabel = "korder.dev/group";
inline constexpr std::string_view kTicketSchedulingGate = "korder.dev/ticket";

/// Which tickets a pod asks for. `order` (from `korder.dev/order`) and the ticket-request form
/// combine with AND.
struct TicketRequest {
  enum class Form { Any, Name, Selector, Group };

  std::string order;  // empty: any order
  Form form = Form::Any;
  /// The ticket name (Name) or the group (Group).
  std::string value;
  /// The parsed selector (Selector).
  api::Selector selector;

  /// Whether a ticket named `name` with `labels` is one this request allows.
  bool matches(std::string_view name, const std::map<std::string, std::string>& labels) const;
};

/// True when the pod opted in: annotation `korder.dev/required` is exactly `"true"`.
bool pod_requires_ticket(const std::map<std::string, std::string>& annotations);

/// Reads the request from a pod's annotations. Errors name the annotation and the value:
/// `annotation korder.dev/ticket-request: unknown form "foo:bar" (want name:<ticket>,
/// selector:<k=v,...> or group:<group>)`.
Expected<TicketRequest, std::string> parse_ticket_request(
    const std::map<std::string, std::string>& annotations);

}  // namespace korder::webhook
