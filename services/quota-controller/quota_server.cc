#include "quota_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace korder::quota {
namespace {

Expected<std::string, std::string> read_file(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Unexpected("reading " + flag + " " + path + ": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return Unexpected("reading " + flag + " " + path + ": read error");
  }
  return content.str();
}

Expected<void, std::string> validate(const QuotaServerOptions& options) {
  const bool any_tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty() ||
                       !options.client_ca_file.empty();
  if (options.insecure && any_tls) {
    return Unexpected(
        std::string("--insecure serves plaintext: it cannot be combined with --tls-cert-file, "
                    "--tls-key-file or --client-ca-file"));
  }
  if (!options.insecure && (options.tls_cert_file.empty() || options.tls_key_file.empty())) {
    return Unexpected(
        std::string("the quota service needs --tls-cert-file and --tls-key-file (or --insecure for "
                    "plaintext)"));
  }
  if (options.max_message_bytes <= 0 || options.max_concurrent_streams <= 0) {
    return Unexpected(std::string("max message size and max concurrent streams must be > 0"));
  }
  return {};
}

Expected<std::shared_ptr<grpc::ServerCredentials>, std::string> credentials(
    const QuotaServerOptions& options) {
  if (options.insecure) {
    return grpc::InsecureServerCredentials();
  }
  // Read once here so a missing or unreadable file is a startup error naming the flag; gRPC's
  // file watcher then re-reads them every interval and serves new handshakes with what it
  // finds (a mismatched pair mid-rotation is skipped until both files agree).
  for (const auto& [flag, path] : {std::pair{"--tls-cert-file", options.tls_cert_file},
                                   std::pair{"--tls-key-file", options.tls_key_file},
                                   std::pair{"--client-ca-file", options.client_ca_file}}) {
    if (path.empty()) {
      continue;
    }
    if (auto content = read_file(flag, path); !content) {
      return Unexpected(content.error());
    } else if (content->find("-----BEGIN") == std::string::npos) {
      return Unexpected(std::string("reading ") + flag + " " + path + ": no PEM data");
    }
  }
  const auto interval =
      static_cast<unsigned int>(std::max<std::int64_t>(1, options.cert_refresh_interval.count()));
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (options.client_ca_file.empty()) {
    provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        options.tls_key_file, options.tls_cert_file, interval);
  } else {
    provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        options.tls_key_file, options.tls_cert_file, options.client_ca_file, interval);
  }
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (options.client_ca_file.empty()) {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    tls.watch_root_certs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

}  // namespace

QuotaServer::QuotaServer(QuotaBackend& backend) : service_(backend) {}

Expected<std::unique_ptr<QuotaServer>, std::string> QuotaServer::start(QuotaBackend& backend,
                                                                       QuotaServerOptions options) {
  if (auto valid = validate(options); !valid) {
    return Unexpected(valid.error());
  }
  auto creds = credentials(options);
  if (!creds) {
    return Unexpected(creds.error());
  }
  // Both are process-wide switches read when a server is built.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<QuotaServer> server(new QuotaServer(backend));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, *creds, &server->port_);
  builder.RegisterService(&server->service_);
  for (grpc::Service* extra : options.extra_services) {
    builder.RegisterService(extra);
  }
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    server->shut_down_ = true;
    return Unexpected("cannot serve gRPC on " + options.address + " (address in use or invalid?)");
  }
  server->set_serving(false);
  return server;
}

QuotaServer::~QuotaServer() { shutdown(std::chrono::milliseconds(0)); }

void QuotaServer::set_serving(bool serving) {
  service_.set_serving(serving);
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(std::string(kQuotaServiceName), serving);
  }
}

void QuotaServer::shutdown(std::chrono::milliseconds grace) {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  service_.set_serving(false);
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
}

}  // namespace korder::quota
