#pragma once

// A small HTTPS admission webhook for the devcluster's webhook tests: a fresh CA (OpenSSL, via
// tls.h) signs a serving certificate for the names given; every AdmissionReview is recorded
// and answered by a test-supplied function on the server's own threads (it may block, e.g. to
// call back into the devcluster).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "json_access.h"

namespace korder::devcluster::testing {

/// The webhook's answer to one review.
struct WebhookReply {
  bool allowed = true;
  std::string patch;        // a JSON patch document (sent base64 with patchType JSONPatch)
  std::optional<int> code;  // status.code of a denial
  std::string message;      // status.message
  std::string reason;       // status.reason
  std::vector<std::string> warnings;
  std::chrono::milliseconds delay{0};  // answer this late (stalls without blocking)
  int http_status = 200;
  std::optional<std::string> raw_body;  // sent instead of a review
  std::optional<std::string> uid;       // overrides the echoed request uid
};

/// One review received: the path with query, and the AdmissionReview.
struct ReceivedReview {
  std::string target;
  JsonDocument review;
};

using WebhookFunction = std::function<WebhookReply(const ReceivedReview& review)>;

class TestWebhookServer {
 public:
  /// Serves HTTPS on 127.0.0.1 with a certificate for `dns_names` and `ip_addresses`.
  TestWebhookServer(std::vector<std::string> dns_names, std::vector<std::string> ip_addresses,
                    WebhookFunction answer);
  ~TestWebhookServer();
  TestWebhookServer(const TestWebhookServer&) = delete;
  TestWebhookServer& operator=(const TestWebhookServer&) = delete;

  std::uint16_t port() const { return port_; }
  /// The CA (PEM) and its base64 form for a caBundle.
  const std::string& ca_pem() const { return ca_pem_; }
  std::string ca_bundle() const;
  /// Reviews received so far (copies).
  std::vector<ReceivedReview> reviews() const;
  /// How many reviews arrived at paths starting with `path`.
  std::size_t count(const std::string& path) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::string ca_pem_;
};

/// A self-signed CA that signed nothing we serve (for wrong-caBundle tests), base64.
std::string unrelated_ca_bundle();

}  // namespace korder::devcluster::testing
