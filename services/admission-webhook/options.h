#pragma once

// The command line of korder-admission-webhook, parsed once into a plain struct (STYLE §8).

#include <chrono>
#include <string>
#include <vector>

#include "korder/base/expected.h"
#include "korder/certs/certificate_manager.h"
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

  /// Self-managed certificates (DESIGN.md §6): --cert-dir, --namespace, --ca-secret-name,
  /// --ca-check-interval, --cert-validity.
  certs::SelfManagedOptions certs;
  /// --service-name: the Service the serving certificate names (`<svc>.<namespace>.svc`).
  std::string service_name = "korder-webhook";
  /// The serving certificate is self-managed (no --tls-cert-file/--tls-key-file); then the CA
  /// is also patched into the caBundle of these configurations (empty names: none).
  bool self_managed_serving = false;
  /// --mutating-webhook-configuration, --validating-webhook-configuration.
  std::string mutating_configuration = "korder-admission-webhook";
  std::string validating_configuration = "korder-admission-webhook";
  /// The quota client certificate is self-managed (TLS to the quota service without
  /// --quota-client-cert-file/--quota-client-key-file).
  bool self_managed_quota_client = false;
  /// --quota-client-name: the CN of the self-managed quota client certificate.
  std::string quota_client_name = "korder-admission-webhook";

  /// Whether any certificate is self-managed (the CertificateManager runs).
  bool self_managed() const { return self_managed_serving || self_managed_quota_client; }
};

/// Parses and validates the flags; every problem is one line naming the flag.
Expected<Options, std::vector<std::string>> parse_options(int& argc, char**& argv);

}  // namespace korder::webhook
