#pragma once

// The benchmark's cluster, seeded in-process: 1,000 quotas of every scope type and 100,000
// tickets in 500 namespaces.

#include <cstddef>
#include <string>

#include "korder/quota/v1/quota.pb.h"
#include "quota_engine.h"

namespace korder::quota::bench {

/// What seed() built, and what the tickets cost in memory.
struct SeedStats {
  std::size_t quotas = 0;
  std::size_t namespaces = 0;
  std::size_t tickets = 0;
  /// Heap bytes in use (glibc mallinfo2) added by the tickets, divided by their number.
  double heap_bytes_per_ticket = 0;
  /// Resident set size (/proc/self/statm) added by the tickets, divided by their number.
  double rss_bytes_per_ticket = 0;
  double seconds = 0;
};

/// Seeds `engine`: 500 namespaces (`ns-<i>`, labelled `team=t-<i % 450>`), 1,000 quotas (500
/// NamespaceList, one per namespace, every tenth with a night window and an allocation; 450
/// NamespaceSelector on `team`; 49 ObjectSelector on `app`; 1 Cluster), all with room to
/// spare, then `tickets` tickets (100m CPU, 128Mi each, labelled `app=a-<n % 200>`, 90% Pending
/// or Ready, 10% Claimed).
SeedStats seed(QuotaEngine& engine, std::size_t tickets);

/// A Reserve request for a new ticket `name` placed like the n-th seeded ticket.
v1::ReserveRequest reserve_request(std::size_t n, const std::string& name);

}  // namespace korder::quota::bench
