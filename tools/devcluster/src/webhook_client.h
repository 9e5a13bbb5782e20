#pragma once

// The HTTPS client that calls admission webhooks, as kube-apiserver's webhook client does:
// a POST of the AdmissionReview to the webhook's URL with `?timeout=Ns`, the server
// certificate verified against the configuration's caBundle for the URL's host or, for a
// service, for `<service>.<namespace>.svc` (also sent as SNI) while the connection goes to the
// address the devcluster maps the service to. Asynchronous on the caller's executor: the
// io_context keeps serving (the webhook may call back) while a review is in flight.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "asio.h"
#include "korder/base/expected.h"
#include "webhook_config.h"

namespace boost::asio::ssl {
class context;
}

namespace korder::devcluster {

/// Where a mapped service is dialled (`--webhook-service-map NS/NAME=HOST:PORT`).
struct ServiceAddress {
  std::string host;
  std::string port;
};

/// `namespace/name` → address.
using WebhookServiceMap = std::map<std::string, ServiceAddress>;

/// Parses `--webhook-service-map` entries; errors name the entry and what is wrong.
Expected<WebhookServiceMap, std::string> parse_webhook_service_map(
    const std::vector<std::string>& entries);

/// Where one call goes.
struct WebhookTarget {
  std::string url;        // as kube-apiserver prints it: https://svc.ns.svc:443/path?timeout=10s
  std::string dial_host;  // the address connected to
  std::string dial_port;
  std::string server_name;  // SNI and the name the certificate must carry
  std::string host_header;
  std::string target;  // path and query
  std::string ca_bundle_pem;
};

/// The target of `config` with `timeout_seconds`, or an error like Go's dial error when a
/// service is not mapped or the URL cannot be parsed.
Expected<WebhookTarget, std::string> webhook_target(const WebhookClientConfig& config,
                                                    int timeout_seconds,
                                                    const WebhookServiceMap& services);

/// Sends admission reviews. Thread-safe; TLS contexts are cached per caBundle.
class WebhookClient {
 public:
  WebhookClient();
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  /// POSTs `body` and returns the body of a 200 answer. Errors read as kube-apiserver's do
  /// after `failed to call webhook: ` (`Post "<url>": context deadline exceeded`,
  /// `... tls: failed to verify certificate: ...`, `the server responded with the status
  /// code 503 but did not return more information`).
  Awaitable<Expected<std::string, std::string>> post(WebhookTarget target, std::string body,
                                                     std::chrono::milliseconds timeout);

 private:
  Expected<std::shared_ptr<boost::asio::ssl::context>, std::string> context_for(
      const std::string& ca_bundle_pem);

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> contexts_;  // guarded by mu_
};

}  // namespace korder::devcluster
