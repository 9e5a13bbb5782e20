#include "options.h"

#include <gflags/gflags.h>

#include <algorithm>
#include <cstdlib>

#include "korder/kclient/common_flags.h"

KORDER_DEFINE_COMMON_FLAGS();
DEFINE_string(bind_address, ":9443", "host:port of the HTTPS webhook server (port 0: a free one).");
DEFINE_string(tls_cert_file, "",
              "Serving certificate chain (PEM); reloaded when it changes. With --tls-key-file it "
              "replaces the self-managed certificate (and caBundle is left to whoever made it).");
DEFINE_string(tls_key_file, "", "Key of the serving certificate (PEM); reloaded when it changes.");
DEFINE_string(cert_dir, "/var/run/korder/certs",
              "Writable directory for the self-managed certificates (an emptyDir).");
DEFINE_string(namespace, "",
              "Namespace of the CA Secret and of the webhook's Service (default: $POD_NAMESPACE, "
              "else korder-system).");
DEFINE_string(ca_secret_name, "korder-ca", "Secret holding the CA shared with the quota service.");
DEFINE_string(ca_check_interval, "1m",
              "How often the CA Secret and the webhook configurations' caBundle are checked.");
DEFINE_string(cert_validity, "2160h",
              "Lifetime of the self-managed certificates; renewed after 2/3 of it.");
DEFINE_string(service_name, "korder-webhook",
              "Service the self-managed serving certificate is for (<name>.<namespace>.svc).");
DEFINE_string(mutating_webhook_configuration, "korder-admission-webhook",
              "MutatingWebhookConfiguration whose caBundle gets the CA (empty: none).");
DEFINE_string(validating_webhook_configuration, "korder-admission-webhook",
              "ValidatingWebhookConfiguration whose caBundle gets the CA (empty: none).");
DEFINE_string(quota_client_name, "korder-admission-webhook",
              "CN of the self-managed client certificate for the quota service.");
DEFINE_string(cert_check_interval, "10s", "How often the TLS files are checked for changes.");
DEFINE_int64(max_request_bytes, 4 * 1024 * 1024, "Largest AdmissionReview body accepted.");
DEFINE_string(read_timeout, "10s", "Time allowed to receive one request (slow clients are cut).");
DEFINE_string(idle_timeout, "90s", "How long an idle keep-alive connection is kept.");
DEFINE_string(review_timeout, "8s",
              "Deadline of one review; keep it below the webhooks' timeoutSeconds (10).");
DEFINE_string(claim_deadline, "30s",
              "How long a claim waits for its pod before the ticket controller releases it.");
DEFINE_int32(claim_max_attempts, 5, "Candidate tickets tried per pod before giving up.");
DEFINE_string(quota_address, "dns:///korder-quota.korder-system.svc:9443",
              "gRPC target of the quota service; empty disables quota admission.");
DEFINE_string(quota_server_name, "", "Name to verify in the quota service's certificate.");
DEFINE_string(quota_ca_file, "",
              "CA of the quota service's certificate (PEM; default: the CA of Secret korder-ca).");
DEFINE_string(quota_client_cert_file, "",
              "Client certificate for mutual TLS to the quota service (default: self-managed, "
              "issued from the CA of Secret korder-ca).");
DEFINE_string(quota_client_key_file, "", "Key of the quota client certificate.");
DEFINE_bool(quota_insecure, false, "Plaintext gRPC to the quota service (tests only).");
DEFINE_bool(quota_fail_open, false,
            "Admit Orders and Tickets (with a warning) when the quota service is unreachable.");
DEFINE_int32(io_threads, 1, "Threads running the io_context.");

namespace korder::webhook {
namespace {

// A positive Go duration flag, or an error naming it.
void duration_flag(const char* name, const std::string& text, std::chrono::nanoseconds& out,
                   std::vector<std::string>& errors) {
  if (auto parsed = kclient::positive_duration_flag(name, text, errors)) {
    out = *parsed;
  }
}

// The self-managed certificate flags; fills the serving files from --cert-dir when no
// --tls-cert-file/--tls-key-file is given.
void parse_cert_flags(Options& options, std::vector<std::string>& errors) {
  options.certs.cert_dir = FLAGS_cert_dir;
  if (options.certs.cert_dir.empty()) {
    errors.push_back("--cert-dir: required (a writable directory)");
  }
  options.certs.namespace_ = FLAGS_namespace;
  if (options.certs.namespace_.empty()) {
    const char* pod_namespace = std::getenv("POD_NAMESPACE");
    options.certs.namespace_ =
        pod_namespace != nullptr && *pod_namespace != '\0' ? pod_namespace : "korder-system";
  }
  options.certs.ca_secret_name = FLAGS_ca_secret_name;
  if (options.certs.ca_secret_name.empty()) {
    errors.push_back("--ca-secret-name: required");
  }
  duration_flag("ca-check-interval", FLAGS_ca_check_interval, options.certs.check_interval, errors);
  std::chrono::nanoseconds validity = options.certs.validity;
  duration_flag("cert-validity", FLAGS_cert_validity, validity, errors);
  if (validity < std::chrono::minutes(10)) {
    errors.push_back("--cert-validity: must be at least 10m, got " + FLAGS_cert_validity);
  }
  options.certs.validity = std::chrono::duration_cast<std::chrono::seconds>(validity);
  options.service_name = FLAGS_service_name;
  options.mutating_configuration = FLAGS_mutating_webhook_configuration;
  options.validating_configuration = FLAGS_validating_webhook_configuration;
  options.quota_client_name = FLAGS_quota_client_name;
  if (FLAGS_tls_cert_file.empty() && FLAGS_tls_key_file.empty()) {
    options.self_managed_serving = true;
    options.server.tls_cert_file = options.certs.path("tls.crt");
    options.server.tls_key_file = options.certs.path("tls.key");
    if (options.service_name.empty()) {
      errors.push_back("--service-name: required for the self-managed serving certificate");
    }
  }
}

}  // namespace

Expected<Options, std::vector<std::string>> parse_options(int& argc, char**& argv) {
  gflags::SetUsageMessage(
      "korder-admission-webhook: claims tickets for business pods and validates korder objects "
      "(HTTPS AdmissionReview endpoints)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  std::vector<std::string> errors;
  if (argc > 1) {
    errors.push_back(std::string("unexpected argument: ") + argv[1]);
  }
  Options options;
  auto common = kclient::parse_common_flags();
  if (common) {
    options.common = std::move(common).value();
  } else {
    errors.insert(errors.end(), common.error().begin(), common.error().end());
  }
  options.server.bind_address = FLAGS_bind_address;
  options.server.tls_cert_file = FLAGS_tls_cert_file;
  options.server.tls_key_file = FLAGS_tls_key_file;
  if (FLAGS_tls_cert_file.empty() != FLAGS_tls_key_file.empty()) {
    errors.push_back(
        "--tls-cert-file and --tls-key-file go together (or neither, for the "
        "self-managed certificate)");
  }
  parse_cert_flags(options, errors);
  duration_flag("cert-check-interval", FLAGS_cert_check_interval,
                options.server.cert_check_interval, errors);
  duration_flag("read-timeout", FLAGS_read_timeout, options.server.read_timeout, errors);
  duration_flag("idle-timeout", FLAGS_idle_timeout, options.server.idle_timeout, errors);
  duration_flag("review-timeout", FLAGS_review_timeout, options.review_timeout, errors);
  duration_flag("claim-deadline", FLAGS_claim_deadline, options.claims.claim_deadline, errors);
  if (FLAGS_max_request_bytes < 1024) {
    errors.push_back("--max-request-bytes: must be at least 1024, got " +
                     std::to_string(FLAGS_max_request_bytes));
  } else {
    options.server.max_body_bytes = static_cast<std::size_t>(FLAGS_max_request_bytes);
  }
  if (FLAGS_claim_max_attempts < 1) {
    errors.push_back("--claim-max-attempts: must be at least 1, got " +
                     std::to_string(FLAGS_claim_max_attempts));
  }
  options.claims.max_attempts = FLAGS_claim_max_attempts;
  if (FLAGS_io_threads < 1) {
    errors.push_back("--io-threads: must be at least 1, got " + std::to_string(FLAGS_io_threads));
  }
  options.io_threads = FLAGS_io_threads;
  options.quota.target = FLAGS_quota_address;
  options.quota.server_name = FLAGS_quota_server_name;
  options.quota.ca_file = FLAGS_quota_ca_file;
  options.quota.client_cert_file = FLAGS_quota_client_cert_file;
  options.quota.client_key_file = FLAGS_quota_client_key_file;
  options.quota.insecure = FLAGS_quota_insecure;
  options.quota_fail_open = FLAGS_quota_fail_open;
  if (!options.quota.target.empty() && !options.quota.insecure) {
    // TLS to the quota service: what the flags leave out comes from the shared CA.
    if (options.quota.ca_file.empty()) {
      options.quota.ca_file = options.certs.path("ca.crt");
    }
    if (options.quota.client_cert_file.empty() && options.quota.client_key_file.empty()) {
      options.self_managed_quota_client = true;
      options.quota.client_cert_file = options.certs.path("quota-client.crt");
      options.quota.client_key_file = options.certs.path("quota-client.key");
      // Renewed certificates (and a new CA) reach new connections without a restart.
      options.quota.tls_refresh_interval = std::max<std::chrono::seconds>(
          std::chrono::seconds(1),
          std::chrono::duration_cast<std::chrono::seconds>(options.server.cert_check_interval));
    }
  }
  if (!errors.empty()) {
    return Unexpected(std::move(errors));
  }
  return options;
}

}  // namespace korder::webhook
