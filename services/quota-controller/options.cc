#include "options.h"

#include <gflags/gflags.h>

#include <algorithm>
#include <cstdlib>

#include "korder/kclient/common_flags.h"

KORDER_DEFINE_COMMON_FLAGS();
DEFINE_string(grpc_bind_address, "0.0.0.0:9443",
              "host:port of the gRPC quota service (port 0 picks a free port).");
DEFINE_string(tls_cert_file, "",
              "Serving certificate of the quota service (PEM); with --tls-key-file it replaces "
              "the self-managed certificate.");
DEFINE_string(tls_key_file, "", "Key of the serving certificate (PEM).");
DEFINE_string(client_ca_file, "",
              "CA that client certificates must chain to; when set, clients must present one "
              "(mutual TLS). With the self-managed certificate the default is the CA of Secret "
              "korder-ca.");
DEFINE_string(cert_check_interval, "10s",
              "How often the certificate, key and client CA files are re-read (rotation).");
DEFINE_string(cert_dir, "/var/run/korder/certs",
              "Writable directory for the self-managed certificates (an emptyDir).");
DEFINE_string(namespace, "",
              "Namespace of the CA Secret and of the quota Service (default: $POD_NAMESPACE, "
              "else korder-system).");
DEFINE_string(ca_secret_name, "korder-ca", "Secret holding the CA shared with the webhook.");
DEFINE_string(ca_check_interval, "1m", "How often the CA Secret is checked for a new CA.");
DEFINE_string(cert_validity, "2160h",
              "Lifetime of the self-managed certificate; renewed after 2/3 of it.");
DEFINE_string(service_name, "korder-quota",
              "Service the self-managed serving certificate is for (<name>.<namespace>.svc).");
DEFINE_bool(insecure, false,
            "Serve plaintext gRPC (tests and local runs only; exclusive with the TLS flags).");
DEFINE_string(hold_ttl, "30s",
              "How long a Reserve hold lasts when its object never appears (a Go duration).");
DEFINE_int32(grpc_max_message_bytes, 4 * 1024 * 1024, "Largest gRPC message received or sent.");
DEFINE_int32(grpc_max_concurrent_streams, 256,
             "HTTP/2 streams one gRPC connection may have open at once.");

namespace korder::quota {
namespace {

// The self-managed certificate flags; fills the server's files from --cert-dir when neither
// --insecure nor --tls-cert-file/--tls-key-file is given.
void parse_cert_flags(Options& options, std::vector<std::string>& errors) {
  if (auto interval = kclient::positive_duration_flag("cert-check-interval",
                                                      FLAGS_cert_check_interval, errors)) {
    options.server.cert_refresh_interval = std::max<std::chrono::seconds>(
        std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(*interval));
  }
  options.certs.cert_dir = FLAGS_cert_dir;
  options.certs.namespace_ = FLAGS_namespace;
  if (options.certs.namespace_.empty()) {
    const char* pod_namespace = std::getenv("POD_NAMESPACE");
    options.certs.namespace_ =
        pod_namespace != nullptr && *pod_namespace != '\0' ? pod_namespace : "korder-system";
  }
  options.certs.ca_secret_name = FLAGS_ca_secret_name;
  if (auto interval =
          kclient::positive_duration_flag("ca-check-interval", FLAGS_ca_check_interval, errors)) {
    options.certs.check_interval = *interval;
  }
  if (auto validity =
          kclient::positive_duration_flag("cert-validity", FLAGS_cert_validity, errors)) {
    if (*validity < std::chrono::minutes(10)) {
      errors.push_back("--cert-validity: must be at least 10m, got " + FLAGS_cert_validity);
    }
    options.certs.validity = std::chrono::duration_cast<std::chrono::seconds>(*validity);
  }
  options.service_name = FLAGS_service_name;
  if (FLAGS_insecure || !FLAGS_tls_cert_file.empty() || !FLAGS_tls_key_file.empty()) {
    return;
  }
  options.self_managed_serving = true;
  if (options.certs.cert_dir.empty()) {
    errors.push_back("--cert-dir: required (a writable directory)");
  }
  if (options.certs.ca_secret_name.empty()) {
    errors.push_back("--ca-secret-name: required");
  }
  if (options.service_name.empty()) {
    errors.push_back("--service-name: required for the self-managed serving certificate");
  }
  options.server.tls_cert_file = options.certs.path("tls.crt");
  options.server.tls_key_file = options.certs.path("tls.key");
  if (options.server.client_ca_file.empty()) {
    options.server.client_ca_file = options.certs.path("ca.crt");
  }
}

}  // namespace

Expected<Options, std::vector<std::string>> parse_options(int& argc, char**& argv) {
  gflags::SetUsageMessage(
      "korder-quota-controller: keeps the usage of every korder Quota and serves the gRPC "
      "service korder.quota.v1.QuotaService");
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
  options.server.address = FLAGS_grpc_bind_address;
  options.server.tls_cert_file = FLAGS_tls_cert_file;
  options.server.tls_key_file = FLAGS_tls_key_file;
  options.server.client_ca_file = FLAGS_client_ca_file;
  options.server.insecure = FLAGS_insecure;
  options.server.max_message_bytes = FLAGS_grpc_max_message_bytes;
  options.server.max_concurrent_streams = FLAGS_grpc_max_concurrent_streams;
  if (options.server.address.empty()) {
    errors.push_back("--grpc-bind-address: required (host:port)");
  }
  if (FLAGS_insecure && (!FLAGS_tls_cert_file.empty() || !FLAGS_tls_key_file.empty() ||
                         !FLAGS_client_ca_file.empty())) {
    errors.push_back(
        "--insecure serves plaintext: it cannot be combined with --tls-cert-file, "
        "--tls-key-file or --client-ca-file");
  } else if (FLAGS_tls_cert_file.empty() != FLAGS_tls_key_file.empty()) {
    errors.push_back(
        "--tls-cert-file and --tls-key-file go together (or neither, for the self-managed "
        "certificate)");
  }
  parse_cert_flags(options, errors);
  if (FLAGS_grpc_max_message_bytes <= 0) {
    errors.push_back("--grpc-max-message-bytes: must be positive, got " +
                     std::to_string(FLAGS_grpc_max_message_bytes));
  }
  if (FLAGS_grpc_max_concurrent_streams <= 0) {
    errors.push_back("--grpc-max-concurrent-streams: must be positive, got " +
                     std::to_string(FLAGS_grpc_max_concurrent_streams));
  }
  if (auto ttl = kclient::positive_duration_flag("hold-ttl", FLAGS_hold_ttl, errors)) {
    options.hold_ttl = *ttl;
  }
  if (!errors.empty()) {
    return Unexpected(std::move(errors));
  }
  return options;
}

}  // namespace korder::quota
