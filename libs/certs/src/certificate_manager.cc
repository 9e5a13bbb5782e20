#include "korder/certs/certificate_manager.h"

#include <glog/logging.h>

#include <algorithm>

#include "files.h"
#include "korder/api/time.h"
#include "korder/base/check.h"
#include "korder/certs/renewal.h"
#include "korder/kclient/clock_cond_var.h"

namespace korder::certs {
namespace {

constexpr unsigned kCertMode = 0644;
constexpr unsigned kKeyMode = 0600;

std::optional<KeyPair> read_pair(const LeafCertificate& leaf) {
  auto cert = detail::read_file(leaf.cert_file);
  auto key = detail::read_file(leaf.key_file);
  if (!cert || !key) {
    return std::nullopt;
  }
  return KeyPair{std::move(*cert), std::move(*key)};
}

}  // namespace

CertificateRequest serving_request(const std::string& service, const std::string& namespace_,
                                   std::chrono::seconds validity) {
  CertificateRequest request;
  request.common_name = service + "." + namespace_ + ".svc";
  request.dns_names = {service, service + "." + namespace_, service + "." + namespace_ + ".svc",
                       service + "." + namespace_ + ".svc.cluster.local"};
  request.usage = Usage::Server;
  request.validity = validity;
  return request;
}

std::vector<std::string> CertificateManagerConfig::validate() const {
  std::vector<std::string> errors;
  if (ca_secret.namespace_.empty() || ca_secret.name.empty()) {
    errors.push_back("the CA Secret needs a namespace and a name");
  }
  if (ca_file.empty()) {
    errors.push_back("the CA file path is empty");
  }
  for (const LeafCertificate& leaf : leaves) {
    if (leaf.cert_file.empty() || leaf.key_file.empty()) {
      errors.push_back("certificate \"" + leaf.name + "\": file paths are empty");
    }
    if (leaf.request.validity < std::chrono::minutes(1)) {
      errors.push_back("certificate \"" + leaf.name + "\": validity must be at least 1m");
    }
  }
  if (check_interval <= std::chrono::nanoseconds::zero() ||
      retry_interval <= std::chrono::nanoseconds::zero()) {
    errors.push_back("check and retry intervals must be positive");
  }
  return errors;
}

CertificateManager::CertificateManager(CertificateManagerConfig config, Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      wake_(std::make_unique<kclient::ClockCondVar>(clock, mu_)) {
  const auto errors = config_.validate();
  KORDER_CHECK(errors.empty(), "invalid CertificateManagerConfig");
}

CertificateManager::~CertificateManager() { stop(); }

void CertificateManager::on_ca_changed(std::function<void(const std::string&)> callback) {
  ca_changed_ = std::move(callback);
}

Expected<TimePoint, std::string> CertificateManager::sync(SecretClient& client) {
  const TimePoint now = clock_.now();
  auto loaded = ensure_ca(client, config_.ca_secret, now, config_.ca_validity);
  if (!loaded) {
    return Unexpected(loaded.error());
  }
  const KeyPair& ca = loaded->ca;
  if (loaded->created) {
    LOG(INFO) << "CA created"
              << " secret=" << config_.ca_secret.namespace_ << "/" << config_.ca_secret.name;
  }
  if (auto written = detail::write_file_atomic(config_.ca_file, ca.cert_pem, kCertMode); !written) {
    return Unexpected(written.error());
  }
  TimePoint next =
      now + std::chrono::duration_cast<std::chrono::system_clock::duration>(config_.check_interval);
  std::uint64_t issued = 0;
  for (const LeafCertificate& leaf : config_.leaves) {
    const LeafDecision decision = decide_leaf(ca.cert_pem, read_pair(leaf), leaf.request, now);
    if (!decision.issue) {
      next = std::min(next, decision.renew_at);
      continue;
    }
    auto pair = issue_certificate(ca, leaf.request, now);
    if (!pair) {
      return Unexpected("certificate \"" + leaf.name + "\": " + pair.error());
    }
    // The key first: a reader that sees the new key with the old certificate finds them
    // mismatched and keeps what it has until the next check.
    auto key = detail::write_file_atomic(leaf.key_file, pair->key_pem, kKeyMode);
    if (!key) {
      return Unexpected(key.error());
    }
    auto cert = detail::write_file_atomic(leaf.cert_file, pair->cert_pem, kCertMode);
    if (!cert) {
      return Unexpected(cert.error());
    }
    ++issued;
    auto info = inspect_certificate(pair->cert_pem);
    if (info) {
      next = std::min(next, renewal_time(*info));
    }
    LOG(INFO) << "certificate issued"
              << " certificate=" << leaf.name << " cn=" << leaf.request.common_name << " reason=\""
              << decision.reason << "\""
              << " not_after=" << (info ? api::format_rfc3339(info->not_after) : std::string("?"))
              << " file=" << leaf.cert_file;
  }
  bool changed = false;
  {
    absl::MutexLock lock(&mu_);
    changed = ca_pem_ != ca.cert_pem;
    ca_pem_ = ca.cert_pem;
    issued_ += issued;
  }
  if (changed && ca_changed_) {
    ca_changed_(ca.cert_pem);
  }
  return next;
}

void CertificateManager::start(SecretClient& client, std::optional<TimePoint> first_pass) {
  KORDER_CHECK(!thread_.joinable(), "CertificateManager started twice");
  thread_ = std::thread([this, &client, first_pass] { loop(client, first_pass); });
}

bool CertificateManager::wait_for(std::chrono::nanoseconds wait) {
  const SteadyTimePoint deadline = clock_.steady_now() + wait;
  absl::MutexLock lock(&mu_);
  while (!stopping_ && !wake_->wait_until(deadline)) {
  }
  return !stopping_;
}

void CertificateManager::loop(SecretClient& client, std::optional<TimePoint> first_pass) {
  if (first_pass &&
      !wait_for(std::chrono::duration_cast<std::chrono::nanoseconds>(*first_pass - clock_.now()))) {
    return;
  }
  for (;;) {
    auto next = sync(client);
    std::chrono::nanoseconds wait = config_.retry_interval;
    if (next) {
      // At least a second, so a certificate whose lifetime is shorter than a pass never spins.
      wait = std::max<std::chrono::nanoseconds>(
          std::chrono::seconds(1),
          std::chrono::duration_cast<std::chrono::nanoseconds>(*next - clock_.now()));
    } else {
      LOG(ERROR) << "certificates not renewed; retrying"
                 << " secret=" << config_.ca_secret.namespace_ << "/" << config_.ca_secret.name
                 << " error=" << next.error();
    }
    if (!wait_for(wait)) {
      return;
    }
  }
}

void CertificateManager::stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_->signal_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::string CertificateManager::ca_pem() const {
  absl::MutexLock lock(&mu_);
  return ca_pem_;
}

std::uint64_t CertificateManager::issued() const {
  absl::MutexLock lock(&mu_);
  return issued_;
}

}  // namespace korder::certs
