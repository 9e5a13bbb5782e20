#include "quota_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <cerrno>
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
  auto cert = read_file("--tls-cert-file", options.tls_cert_file);
  if (!cert) {
    return Unexpected(cert.error());
  }
  auto key = read_file("--tls-key-file", options.tls_key_file);
  if (!key) {
    return Unexpected(key.error());
  }
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!options.client_ca_file.empty()) {
    auto ca = read_file("--client-ca-file", options.client_ca_file);
    if (!ca) {
      return Unexpected(ca.error());
    }
    ssl.pem_root_certs = std::move(*ca);
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  ssl.pem_key_cert_pairs.push_back({std::move(*key), std::move(*cert)});
  return grpc::SslServerCredentials(ssl);
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
