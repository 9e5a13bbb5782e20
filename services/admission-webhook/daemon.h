#pragma once

// The korder-admission-webhook process: builds the object graph from Options and runs it.

#include "options.h"

namespace korder::webhook {

/// Runs the webhook until SIGTERM/SIGINT; returns the exit code. What runs: Ticket, Node and
/// Order informers (the candidate caches; /readyz waits for them), the HTTPS review server, the
/// quota client, the event recorder, /metrics, /healthz, /readyz. Every replica serves (no
/// leader election: claims are safe by resourceVersion). Shutdown: readiness off, stop
/// accepting, finish the reviews in progress (up to the review timeout), then the Manager's
/// ordered stop. Startup failures are one clear log line and exit code 1.
int run_daemon(const Options& options);

}  // namespace korder::webhook
