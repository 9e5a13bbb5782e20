#include "options.h"

#include <gflags/gflags.h>

#include "korder/kclient/common_flags.h"

KORDER_DEFINE_COMMON_FLAGS();
DEFINE_string(bind_address, ":9443", "host:port of the HTTPS webhook server (port 0: a free one).");
DEFINE_string(tls_cert_file, "", "Serving certificate chain (PEM); reloaded when it changes.");
DEFINE_string(tls_key_file, "", "Key of the serving certificate (PEM); reloaded when it changes.");
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
DEFINE_string(quota_ca_file, "", "CA of the quota service's certificate (PEM).");
DEFINE_string(quota_client_cert_file, "",
              "Client certificate for mutual TLS to the quota service.");
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
  if (FLAGS_tls_cert_file.empty() || FLAGS_tls_key_file.empty()) {
    errors.push_back(
        "--tls-cert-file and --tls-key-file are required (the webhook serves HTTPS only)");
  }
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
  if (!errors.empty()) {
    return Unexpected(std::move(errors));
  }
  return options;
}

}  // namespace korder::webhook
