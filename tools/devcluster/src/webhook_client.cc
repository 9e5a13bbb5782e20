#include "webhook_client.h"  // first: includes asio.h before any Boost header

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>

namespace korder::devcluster {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxResponseBody = 16 * 1024 * 1024;

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) {
    return false;
  }
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  const int value = std::stoi(std::string(port));
  return value >= 1 && value <= 65535;
}

/// Splits `host:port` (`[::1]:443` for IPv6); `default_port` when there is none.
bool split_host_port(std::string_view text, std::string_view default_port, std::string& host,
                     std::string& port) {
  if (text.starts_with("[")) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) {
      port = std::string(default_port);
    } else if (rest.starts_with(":")) {
      port = std::string(rest.substr(1));
    } else {
      return false;
    }
  } else {
    const std::size_t colon = text.rfind(':');
    host = std::string(text.substr(0, colon));
    port = colon == std::string_view::npos ? std::string(default_port)
                                           : std::string(text.substr(colon + 1));
  }
  return !host.empty() && valid_port(port);
}

bool is_ip_address(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

std::string lower_first(std::string text) {
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

/// Go's rest client message for a non-2xx answer without a Status body.
std::string status_error(int code, const std::string& body) {
  switch (code) {
    case 400:
      return "the server rejected our request for an unknown reason";
    case 404:
      return "the server could not find the requested resource";
    case 409:
      return "the server reported a conflict";
    case 500:
      return "an error on the server (\"" + body.substr(0, 256) +
             "\") has prevented the request from succeeding";
    default:
      return "the server responded with the status code " + std::to_string(code) +
             " but did not return more information";
  }
}

}  // namespace

Expected<WebhookServiceMap, std::string> parse_webhook_service_map(
    const std::vector<std::string>& entries) {
  WebhookServiceMap out;
  for (const auto& entry : entries) {
    const std::string shape =
        "--webhook-service-map: expected NS/NAME=HOST:PORT, got \"" + entry + "\"";
    const std::size_t eq = entry.find('=');
    const std::string service = entry.substr(0, eq);
    const std::size_t slash = service.find('/');
    if (eq == std::string::npos || slash == std::string::npos || slash == 0 ||
        slash + 1 == service.size() || service.find('/', slash + 1) != std::string::npos ||
        entry.find(':', eq) == std::string::npos) {
      return Unexpected(shape);
    }
    ServiceAddress address;
    if (!split_host_port(std::string_view(entry).substr(eq + 1), "", address.host, address.port)) {
      return Unexpected(shape + ": the host must not be empty and the port must be between 1 " +
                        "and 65535");
    }
    if (!out.emplace(service, address).second) {
      return Unexpected(shape + ": service " + service + " is mapped twice");
    }
  }
  return out;
}

Expected<WebhookTarget, std::string> webhook_target(const WebhookClientConfig& config,
                                                    int timeout_seconds,
                                                    const WebhookServiceMap& services) {
  WebhookTarget t;
  t.ca_bundle_pem = config.ca_bundle_pem;
  const std::string timeout = "timeout=" + std::to_string(timeout_seconds) + "s";
  if (!config.url.empty()) {
    std::string_view rest = config.url;
    if (!rest.starts_with("https://")) {
      return Unexpected("Post \"" + config.url + "\": unsupported protocol scheme");
    }
    rest.remove_prefix(8);
    const std::size_t path_start = std::min(rest.find('/'), rest.find('?'));
    const std::string_view host_port = rest.substr(0, path_start);
    std::string path =
        path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
    if (path.starts_with("?")) {
      path = "/" + path;
    }
    if (!split_host_port(host_port, "443", t.dial_host, t.dial_port)) {
      return Unexpected("Post \"" + config.url + "\": invalid host in the URL");
    }
    t.server_name = t.dial_host;
    t.host_header = std::string(host_port);
    t.target = path + (path.find('?') == std::string::npos ? "?" : "&") + timeout;
    t.url = "https://" + std::string(host_port) + t.target;
    return t;
  }
  t.server_name = config.service_name + "." + config.service_namespace + ".svc";
  t.host_header = t.server_name + ":" + std::to_string(config.service_port);
  t.target = (config.service_path.empty() ? "/" : config.service_path) + "?" + timeout;
  t.url = "https://" + t.host_header + t.target;
  auto mapped = services.find(config.service_namespace + "/" + config.service_name);
  if (mapped == services.end()) {
    return Unexpected("Post \"" + t.url + "\": dial tcp: lookup " + t.server_name +
                      ": no such host (service " + config.service_namespace + "/" +
                      config.service_name + " is not in --webhook-service-map)");
  }
  t.dial_host = mapped->second.host;
  t.dial_port = mapped->second.port;
  return t;
}

WebhookClient::WebhookClient() = default;
WebhookClient::~WebhookClient() = default;

Expected<std::shared_ptr<ssl::context>, std::string> WebhookClient::context_for(
    const std::string& ca_bundle_pem) {
  std::lock_guard lock(mu_);
  if (auto it = contexts_.find(ca_bundle_pem); it != contexts_.end()) {
    return it->second;
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  if (ca_bundle_pem.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->add_certificate_authority(net::buffer(ca_bundle_pem), ec);
  }
  if (ec) {
    return Unexpected("x509: cannot load the caBundle: " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer);
  contexts_.emplace(ca_bundle_pem, context);
  return context;
}

Awaitable<Expected<std::string, std::string>> WebhookClient::post(
    WebhookTarget target, std::string body, std::chrono::milliseconds timeout) {
  const std::string prefix = "Post \"" + target.url + "\": ";
  const std::string deadline_exceeded = prefix + "context deadline exceeded";
  auto context = context_for(target.ca_bundle_pem);
  if (!context) {
    co_return Unexpected(prefix + context.error());
  }
  auto executor = co_await net::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  beast::error_code ec;

  tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(target.dial_host, target.dial_port,
                                                   net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    co_return Unexpected(prefix + "dial tcp: lookup " + target.dial_host + ": " + ec.message());
  }
  beast::ssl_stream<beast::tcp_stream> stream(executor, **context);
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_at(deadline);
  co_await lowest.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return Unexpected(deadline_exceeded);
  }
  if (ec) {
    co_return Unexpected(prefix + "dial tcp " + target.dial_host + ":" + target.dial_port +
                         ": connect: " + lower_first(ec.message()));
  }
  // As Go's net package (kube-apiserver's) does for every TCP connection. Without it, Nagle's
  // algorithm holds the request written right after the client's TLS Finished until the
  // webhook's delayed ACK (~40 ms per call).
  lowest.socket().set_option(net::ip::tcp::no_delay(true), ec);

  SSL* ssl_handle = stream.native_handle();
  if (is_ip_address(target.server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), target.server_name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_handle, target.server_name.c_str());
    SSL_set1_host(ssl_handle, target.server_name.c_str());
  }
  lowest.expires_at(deadline);
  co_await stream.async_handshake(ssl::stream_base::client,
                                  net::redirect_error(net::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return Unexpected(deadline_exceeded);
  }
  if (ec) {
    const long verify = SSL_get_verify_result(ssl_handle);
    if (verify != X509_V_OK) {
      co_return Unexpected(prefix + "tls: failed to verify certificate: x509: " +
                           X509_verify_cert_error_string(verify) + " (for \"" + target.server_name +
                           "\")");
    }
    co_return Unexpected(prefix + "tls: handshake failed: " + ec.message());
  }

  http::request<http::string_body> request{http::verb::post, target.target, 11};
  request.set(http::field::host, target.host_header);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json, */*");
  request.set(http::field::user_agent, "kube-apiserver-admission");
  request.body() = std::move(body);
  request.prepare_payload();
  lowest.expires_at(deadline);
  co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return Unexpected(deadline_exceeded);
  }
  if (ec) {
    co_return Unexpected(prefix + "write: " + ec.message());
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  lowest.expires_at(deadline);
  co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return Unexpected(deadline_exceeded);
  }
  if (ec) {
    co_return Unexpected(prefix + "read: " + ec.message());
  }
  lowest.close();
  auto& response = parser.get();
  const int code = static_cast<int>(response.result_int());
  if (code < 200 || code > 299) {
    co_return Unexpected(status_error(code, response.body()));
  }
  co_return std::move(response.body());
}

}  // namespace korder::devcluster
