#pragma once

// The command line of korder-admission-webhook, parsed once into a plain struct (STYLE §8).

#include <chrono>
#include <string>
#include <vector>

#include "korder/base/expected.h"
#include "korder/kclient/common_options.h"
#include "korder/quota_client/quota_client.h"
#include "pod_admission.h"
#include "webhook_server.h"

namespace korder::webhook {

struct Options {
  kclient::CommonOptions common;
  /// --bind-address, --tls-cert-file, --tls-key-file, --cert-check-interval,
  /// --max-request-bytes, --read-timeout, --idle-timeout.
  WebhookServerOptions server;
  /// --review-timeout: each review's deadline (the webhooks' timeoutSeconds is 10).
  std::chrono::nanoseconds review_timeout = std::chrono::seconds(8);
  /// --claim-deadline, --claim-max-attempts.
  PodAdmissionOptions claims;
  /// --quota-address (empty: no quota admission), --quota-server-name, --quota-ca-file,
  /// --quota-client-cert-file, --quota-client-key-file, --quota-insecure.
  quota_client::QuotaClientOptions quota;
  /// --quota-fail-open.
  bool quota_fail_open = false;
  /// --io-threads.
  int io_threads = 1;
};

/// Parses and validates the flags; every problem is one line naming the flag.
Expected<Options, std::vector<std::string>> parse_options(int& argc, char**& argv);

}  // namespace korder::webhook
