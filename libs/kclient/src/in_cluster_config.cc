// load_in_cluster_config: client-go's rest.InClusterConfig plus clientcmd's in-cluster namespace.
#include <string>
#include <utility>

#include "korder/kclient/config.h"
#include "read_file.h"

namespace korder::kclient {
namespace {

Unexpected<ConfigError> fail(const std::string& what) {
  return Unexpected(ConfigError{"in-cluster config: " + what});
}

}  // namespace

Expected<Config, ConfigError> load_in_cluster_config(const Getenv& getenv,
                                                     const InClusterPaths& paths) {
  const auto get = [&getenv](const std::string& name) {
    return getenv ? getenv(name).value_or("") : std::string();
  };
  const std::string host = get("KUBERNETES_SERVICE_HOST");
  if (host.empty()) {
    return fail("KUBERNETES_SERVICE_HOST is not set");
  }
  const std::string port = get("KUBERNETES_SERVICE_PORT");
  if (port.empty()) {
    return fail("KUBERNETES_SERVICE_PORT is not set");
  }
  Config config;
  config.source = "in-cluster";
  // An IPv6 service address needs brackets in a URL (Go's net.JoinHostPort).
  const bool ipv6 = host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  auto url = parse_server_url(config.server);
  if (!url) {
    return fail("KUBERNETES_SERVICE_HOST/PORT: " + url.error().message);
  }
  config.url = std::move(*url);

  auto token = detail::read_file(paths.token_file);
  if (!token) {
    return fail("cannot read the service account token " + paths.token_file + ": " + token.error());
  }
  config.bearer_token = detail::trim_space(*token);
  if (config.bearer_token.empty()) {
    return fail("the service account token " + paths.token_file + " is empty");
  }
  config.bearer_token_file = paths.token_file;

  // client-go only logs an unreadable CA and goes on; without it no TLS handshake with the API
  // server can succeed, so korder stops here with the reason.
  auto ca = detail::read_file(paths.ca_file);
  if (!ca) {
    return fail("cannot read the service account CA " + paths.ca_file + ": " + ca.error());
  }
  if (ca->find("-----BEGIN ") == std::string::npos) {
    return fail("the service account CA " + paths.ca_file + " holds no PEM block");
  }
  config.tls.ca_pem = std::move(*ca);

  config.namespace_ = get("POD_NAMESPACE");
  if (config.namespace_.empty()) {
    if (auto ns = detail::read_file(paths.namespace_file)) {
      config.namespace_ = detail::trim_space(*ns);
    }
  }
  if (config.namespace_.empty()) {
    config.namespace_ = "default";
  }
  return config;
}

}  // namespace korder::kclient
