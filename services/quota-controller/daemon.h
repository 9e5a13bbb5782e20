#pragma once

// The korder-quota-controller process: builds the object graph from Options and runs it.

#include "options.h"

namespace korder::quota {

/// Runs the daemon until SIGTERM/SIGINT (or a lost Lease, which exits the process at once);
/// returns the exit code. Startup failures (no kubeconfig, a certificate that cannot be read, a
/// port that cannot be bound) are logged as one clear line and return 1.
///
/// What runs: informers on Quotas, Orders, Tickets and Namespaces feeding a QuotaEngine on
/// every replica; the gRPC QuotaServer (NOT_SERVING until this replica leads and its caches are
/// synced); under the Lease, the `quota` controller writing Quota status and the `quota-serving`
/// step that turns the service on; a ticker expiring holds every second; /metrics, /healthz,
/// /readyz. Shutdown: the service stops answering first, then the Manager's ordered stop, then
/// the gRPC server.
int run_daemon(const Options& options);

}  // namespace korder::quota
