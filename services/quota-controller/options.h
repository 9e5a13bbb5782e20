#pragma once

// The command line of korder-quota-controller, parsed once into a plain, validated struct.

#include <chrono>
#include <string>
#include <vector>

#include "korder/base/expected.h"
#include "korder/certs/certificate_manager.h"
#include "korder/kclient/common_options.h"
#include "quota_server.h"

namespace korder::quota {

/// Everything the flags say (DESIGN.md §8).
struct Options {
  /// The shared daemon flags (--kubeconfig, --leader-elect, --qps, bind addresses, ...).
  kclient::CommonOptions common;
  /// --grpc-bind-address, --tls-cert-file, --tls-key-file, --client-ca-file, --insecure.
  QuotaServerOptions server;
  /// --hold-ttl: how long a Reserve hold lasts when its object never appears.
  std::chrono::nanoseconds hold_ttl = std::chrono::seconds(30);

  /// Self-managed certificates (DESIGN.md §6): --cert-dir, --namespace, --ca-secret-name,
  /// --ca-check-interval, --cert-validity.
  certs::SelfManagedOptions certs;
  /// --service-name: the Service the serving certificate names (`<svc>.<namespace>.svc`).
  std::string service_name = "korder-quota";
  /// Neither --insecure nor --tls-cert-file/--tls-key-file: the serving certificate is issued
  /// from the shared CA, and (without --client-ca-file) clients must present a certificate from
  /// that CA too.
  bool self_managed_serving = false;
};

/// Parses the command line (gflags; removes the flags it knows from argv) and validates it.
/// Errors: one line per problem, naming the flag (`--hold-ttl: time: invalid duration "3x"`).
/// `--help` prints the flags and exits, as gflags does.
Expected<Options, std::vector<std::string>> parse_options(int& argc, char**& argv);

}  // namespace korder::quota
