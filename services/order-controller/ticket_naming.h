#pragma once

// Deterministic names and the korder labels of tickets (DESIGN.md §2 "Names", §8).
//
// Ticket name: `<order>-<h>`, where h is the first 12 lower-case hex digits of SHA-256 over the
// UTF-8 bytes of the *hash input*, which is these fields joined with a single '\n' (0x0A), with
// no trailing newline:
//   1. the order's `metadata.uid`;
//   2. the slot (`r<index>` or `n-<12 hex>`);
//   3. the incarnation in decimal, no sign or leading zeros (`0`, `1`, `12`);
//   4. Scheduled/Recurring only: the fire time of the ticket's window in the `metav1.Time`
//      form, UTC with whole seconds and `Z` (`2026-03-08T07:00:00Z`). OneTime tickets have no
//      fourth field (three fields, two newlines).
// Example: uid `u-1`, slot `r0`, incarnation 0, OneTime → SHA-256("u-1\nr0\n0").
//
// Slots: `r<index>` for replicas (index in decimal, `r0`, `r12`); `n-<first 12 hex of
// SHA-256(node name bytes)>` in daemonSet mode, the node name itself in annotation
// `korder.dev/node`.
//
// Template hash (label `korder.dev/template-hash`): the first 10 hex digits of SHA-256 over
// the canonical JSON of `spec.template` (metadata and spec): the JSON the API codecs write
// (defaults omitted, quantities canonical), with the members of every object sorted by name
// bytewise and no whitespace, so it does not depend on the order fields were written in.
//
// All functions are pure and thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "korder/api/order.h"
#include "korder/base/clock.h"

namespace korder::order {

inline constexpr std::string_view kLabelOrder = "korder.dev/order";
inline constexpr std::string_view kLabelSlot = "korder.dev/slot";
inline constexpr std::string_view kLabelIncarnation = "korder.dev/incarnation";
inline constexpr std::string_view kLabelTemplateHash = "korder.dev/template-hash";
inline constexpr std::string_view kAnnotationNode = "korder.dev/node";
inline constexpr std::string_view kTicketFinalizer = "korder.dev/ticket-protection";

/// Hex digits of the hash in a ticket name, of a node slot, and of the template hash.
inline constexpr std::size_t kTicketHashLength = 12;
inline constexpr std::size_t kNodeSlotHashLength = 12;
inline constexpr std::size_t kTemplateHashLength = 10;

/// Lower-case hex of SHA-256(`data`) (64 digits), computed with OpenSSL.
std::string sha256_hex(std::string_view data);

/// What a ticket's name is derived from. `fire` is set for Scheduled/Recurring orders only.
struct TicketIdentity {
  std::string order_uid;
  std::string slot;
  std::int64_t incarnation = 0;
  std::optional<TimePoint> fire;
};

/// The exact bytes hashed for a ticket name (see the header comment).
std::string ticket_hash_input(const TicketIdentity& identity);

/// `<order_name>-<first 12 hex of SHA-256(ticket_hash_input(identity))>`.
std::string ticket_name(std::string_view order_name, const TicketIdentity& identity);

/// The guardian pod of a ticket: `<ticket>-guardian`.
std::string guardian_name(std::string_view ticket_name);

/// `r<index>`. Precondition: index ≥ 0.
std::string replica_slot(std::int64_t index);

/// The index of a replica slot (`r7` → 7), or nullopt when `slot` is not exactly `r` followed
/// by a decimal without leading zeros (`r01`, `r`, `r-1`, `n-…` are not replica slots).
std::optional<std::int64_t> replica_index(std::string_view slot);

/// `n-<first 12 hex of SHA-256(node_name)>`.
std::string node_slot(std::string_view node_name);

/// True when `slot` has the daemonSet form `n-` followed by 12 lower-case hex digits.
bool is_node_slot(std::string_view slot);

/// The canonical JSON of `tmpl` that template_hash() hashes (exposed for tests and debugging).
std::string canonical_template_json(const api::TicketTemplate& tmpl);

/// First 10 hex digits of SHA-256(canonical_template_json(tmpl)).
std::string template_hash(const api::TicketTemplate& tmpl);

}  // namespace korder::order
