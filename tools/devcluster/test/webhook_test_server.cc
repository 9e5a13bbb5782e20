#include "webhook_test_server.h"

#include "asio.h"  // first among Boost users
#include "http_server.h"
#include "korder/api/base64.h"
#include "korder/api/json.h"
#include "test_support.h"
#include "tls.h"

namespace korder::devcluster::testing {
namespace {

ReceivedReview copy_review(const ReceivedReview& r) {
  return ReceivedReview{r.target, copy_document(r.review)};
}

std::string response_body(const ReceivedReview& received, const WebhookReply& reply) {
  if (reply.raw_body) {
    return *reply.raw_body;
  }
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  set_string(doc, "apiVersion", "admission.k8s.io/v1", alloc);
  set_string(doc, "kind", "AdmissionReview", alloc);
  JsonValue response(rapidjson::kObjectType);
  const std::string uid =
      reply.uid.value_or(std::string(string_at(received.review, {"request", "uid"})));
  set_string(response, "uid", uid, alloc);
  set_member(response, "allowed", JsonValue(reply.allowed), alloc);
  if (!reply.patch.empty()) {
    set_string(response, "patch", api::base64_encode(reply.patch), alloc);
    set_string(response, "patchType", "JSONPatch", alloc);
  }
  if (!reply.allowed || reply.code || !reply.message.empty()) {
    JsonValue status(rapidjson::kObjectType);
    if (reply.code) {
      set_member(status, "code", JsonValue(*reply.code), alloc);
    }
    if (!reply.message.empty()) {
      set_string(status, "message", reply.message, alloc);
    }
    if (!reply.reason.empty()) {
      set_string(status, "reason", reply.reason, alloc);
    }
    set_member(response, "status", std::move(status), alloc);
  }
  if (!reply.warnings.empty()) {
    JsonValue warnings(rapidjson::kArrayType);
    for (const auto& w : reply.warnings) {
      warnings.PushBack(make_string(w, alloc), alloc);
    }
    set_member(response, "warnings", std::move(warnings), alloc);
  }
  set_member(doc, "response", std::move(response), alloc);
  return api::write_json(doc);
}

}  // namespace

struct TestWebhookServer::Impl final : HttpHandler {
  explicit Impl(WebhookFunction f) : answer(std::move(f)) {}

  bool wants_stream(const HttpRequest&) const override { return false; }

  Awaitable<HttpResponse> handle(HttpRequest request) override {
    ReceivedReview received{request.target, parse(request.body)};
    {
      std::lock_guard lock(mu);
      received_reviews.push_back(copy_review(received));
    }
    WebhookReply reply = answer(received);
    if (reply.delay.count() > 0) {
      net::steady_timer timer(co_await net::this_coro::executor, reply.delay);
      boost::system::error_code ec;
      co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    HttpResponse response;
    response.status = reply.http_status;
    response.body = response_body(received, reply);
    co_return response;
  }

  Awaitable<void> stream(HttpRequest, ResponseStream&) override { co_return; }

  WebhookFunction answer;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::unique_ptr<HttpServer> server;
  mutable std::mutex mu;
  std::vector<ReceivedReview> received_reviews;  // guarded by mu
};

TestWebhookServer::TestWebhookServer(std::vector<std::string> dns_names,
                                     std::vector<std::string> ip_addresses, WebhookFunction answer)
    : impl_(std::make_shared<Impl>(std::move(answer))) {
  auto bundle = make_serving_certificate("webhook-test-ca", dns_names, ip_addresses, 1);
  if (!bundle) {
    throw std::runtime_error(bundle.error());
  }
  ca_pem_ = bundle->ca_pem;
  auto tls = make_tls_context(bundle->cert_pem, bundle->key_pem);
  if (!tls) {
    throw std::runtime_error(tls.error());
  }
  HttpServerConfig config;
  config.tls = *tls;
  impl_->server = std::make_unique<HttpServer>(impl_->ioc, *impl_, config);
  auto port = impl_->server->listen();
  if (!port) {
    throw std::runtime_error(port.error());
  }
  port_ = *port;
  impl_->work.emplace(net::make_work_guard(impl_->ioc));
  for (int i = 0; i < 3; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->ioc.run(); });
  }
  impl_->server->start();
}

TestWebhookServer::~TestWebhookServer() {
  impl_->server->stop();
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& thread : impl_->threads) {
    thread.join();
  }
}

std::string TestWebhookServer::ca_bundle() const { return api::base64_encode(ca_pem_); }

std::vector<ReceivedReview> TestWebhookServer::reviews() const {
  std::lock_guard lock(impl_->mu);
  std::vector<ReceivedReview> out;
  for (const auto& r : impl_->received_reviews) {
    out.push_back(copy_review(r));
  }
  return out;
}

std::size_t TestWebhookServer::count(const std::string& path) const {
  std::lock_guard lock(impl_->mu);
  std::size_t n = 0;
  for (const auto& r : impl_->received_reviews) {
    n += r.target.starts_with(path) ? 1 : 0;
  }
  return n;
}

std::string unrelated_ca_bundle() {
  auto bundle = make_serving_certificate("unrelated-ca", {"unrelated"}, {}, 1);
  if (!bundle) {
    throw std::runtime_error(bundle.error());
  }
  return api::base64_encode(bundle->ca_pem);
}

}  // namespace korder::devcluster::testing
