#pragma once

// The order controller daemon's object graph (STYLE §6: lifetimes visible in one place): config,
// Manager (io_context, servers, leader election, events), transport, REST client, informers of
// Orders, Tickets and Nodes, the reconciler and its controller.

#include "options.h"

namespace korder::order {

/// The binary's name: its Lease, its Events' component, its field manager (DESIGN.md §8).
inline constexpr const char* kBinaryName = "korder-order-controller";

/// Builds the daemon from `options` and runs it until SIGTERM/SIGINT; returns the exit code
/// (0 after a graceful shutdown, 1 when startup fails, with the reason logged).
int run_daemon(const Options& options);

}  // namespace korder::order
