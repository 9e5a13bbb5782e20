#include "options.h"

#include <gflags/gflags.h>

#include "korder/kclient/common_flags.h"

KORDER_DEFINE_COMMON_FLAGS();
DEFINE_string(grpc_bind_address, "0.0.0.0:9443",
              "host:port of the gRPC quota service (port 0 picks a free port).");
DEFINE_string(tls_cert_file, "", "Serving certificate of the quota service (PEM).");
DEFINE_string(tls_key_file, "", "Key of the serving certificate (PEM).");
DEFINE_string(client_ca_file, "",
              "CA that client certificates must chain to; when set, clients must present one "
              "(mutual TLS).");
DEFINE_bool(insecure, false,
            "Serve plaintext gRPC (tests and local runs only; exclusive with the TLS flags).");
DEFINE_string(hold_ttl, "30s",
              "How long a Reserve hold lasts when its object never appears (a Go duration).");
DEFINE_int32(grpc_max_message_bytes, 4 * 1024 * 1024, "Largest gRPC message received or sent.");
DEFINE_int32(grpc_max_concurrent_streams, 256,
             "HTTP/2 streams one gRPC connection may have open at once.");

namespace korder::quota {

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
  } else if (!FLAGS_insecure && (FLAGS_tls_cert_file.empty() || FLAGS_tls_key_file.empty())) {
    errors.push_back(
        "--tls-cert-file and --tls-key-file are required (or --insecure for plaintext)");
  }
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
