#pragma once

// The ObjectSummary messages the quota service decides on, built from Orders and Tickets (what
// the webhook and `korderctl check` send).

#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/quota/v1/quota.pb.h"

namespace korder::quota_client {

/// An Order as the quota service sees it: template requests (canonical quantity text) and
/// duration, labels, `count` = replicas (0 for a daemonSet order), `deleting` when it has a
/// deletionTimestamp.
quota::v1::ObjectSummary summarize(const api::Order& order);

/// A Ticket as the quota service sees it: requests, duration, labels and `status.phase`.
quota::v1::ObjectSummary summarize(const api::Ticket& ticket);

}  // namespace korder::quota_client
