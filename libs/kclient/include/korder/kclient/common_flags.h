#pragma once

// The shared command-line flags of every korder daemon (DESIGN §8), for the services'
// options.cc only (STYLE §8: flags are defined there and nowhere else).
//
// Why a macro for the definitions: a gflags flag is a static registration in the translation
// unit that defines it. A library function could only define flags by owning their storage
// itself, i.e. the library would define flags. The macro expands gflags' own DEFINE_ lines in
// the service's options.cc, so the flags live exactly where STYLE says, spelled the same in
// every daemon; `parse_common_flags()` then reads them by name into the plain CommonOptions
// struct, converts and validates them. Libraries never see a flag.
//
// Usage, in services/<name>/options.cc:
//
//   #include "korder/kclient/common_flags.h"
//   KORDER_DEFINE_COMMON_FLAGS();   // at global scope, once per binary
//   ...
//   gflags::ParseCommandLineFlags(&argc, &argv, true);
//   auto common = korder::kclient::parse_common_flags();
//   if (!common) { for (auto& e : common.error()) std::cerr << e << "\n"; return ...; }
//
// Flag names are written with underscores in C++ and accepted with dashes on the command line
// (`--leader-election-lease-duration=30s`): gflags looks a dashed name up with underscores.
// Durations use Go's syntax (`15s`, `1m30s`). `-v` is glog's own flag.

#include <gflags/gflags.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "korder/base/expected.h"
#include "korder/kclient/common_options.h"

/// Defines the common flags in the calling translation unit (global scope, once per binary).
#define KORDER_DEFINE_COMMON_FLAGS()                                                               \
  DEFINE_string(kubeconfig, "",                                                                    \
                "Path to a kubeconfig. Empty: $KUBECONFIG, then in-cluster, then "                 \
                "~/.kube/config.");                                                                \
  DEFINE_string(context, "", "The kubeconfig context to use. Empty: its current-context.");        \
  DEFINE_double(qps, 20.0, "Requests per second to the API server (client-side limit).");          \
  DEFINE_int32(burst, 30, "Burst of requests to the API server above --qps.");                     \
  DEFINE_bool(leader_elect, true, "Compete for a Lease so that only one replica acts at a time."); \
  DEFINE_string(leader_election_namespace, "",                                                     \
                "Namespace of the leader-election Lease. Empty: the namespace the process "        \
                "runs in.");                                                                       \
  DEFINE_string(leader_election_lease_duration, "15s",                                             \
                "How long non-leaders wait before taking over an unrenewed Lease.");               \
  DEFINE_string(leader_election_renew_deadline, "10s",                                             \
                "How long the leader retries renewing before it gives up leadership.");            \
  DEFINE_string(leader_election_retry_period, "2s", "Wait between leader-election attempts.");     \
  DEFINE_int32(concurrency, 1, "Reconcile workers per controller.");                               \
  DEFINE_string(metrics_bind_address, ":8080",                                                     \
                "host:port of the /metrics server, or 0 to disable it.");                          \
  DEFINE_string(health_probe_bind_address, ":8081",                                                \
                "host:port of the /healthz and /readyz server, or 0 to disable it.")

namespace korder::kclient {

/// The names of the flags KORDER_DEFINE_COMMON_FLAGS defines, plus glog's `v`.
const std::vector<std::string>& common_flag_names();

/// Builds CommonOptions from flag values looked up by name (underscored, as in
/// `common_flag_names()`) and validates them (CommonOptions::validate). Errors, one line each
/// naming the flag: a value that does not convert (`--leader-election-lease-duration: time:
/// invalid duration "15x"`), a flag that is not defined (a missing KORDER_DEFINE_COMMON_FLAGS),
/// and every validation problem. The registry-free core of `parse_common_flags`.
Expected<CommonOptions, std::vector<std::string>> common_options_from_flags(
    const std::function<std::optional<std::string>(const std::string& name)>& lookup);

/// `common_options_from_flags` over gflags' registry: call after
/// `gflags::ParseCommandLineFlags`.
Expected<CommonOptions, std::vector<std::string>> parse_common_flags();

/// A daemon's own flag holding a positive Go duration (`30s`): the value, or nullopt after
/// appending one error naming the flag (`--hold-ttl: time: invalid duration "x"`,
/// `--hold-ttl: must be positive, got "0s"`). `name` is the dashed name without `--`.
std::optional<std::chrono::nanoseconds> positive_duration_flag(std::string_view name,
                                                               const std::string& value,
                                                               std::vector<std::string>& errors);

/// Initialises glog for a daemon: logs go to stderr (what containers collect) unless
/// `--log_dir` or `--logtostderr` was given; `verbosity` becomes `-v`; a crash prints a stack
/// trace. Call once, in `main`, after parsing flags.
void init_logging(const char* argv0, int verbosity);

}  // namespace korder::kclient
