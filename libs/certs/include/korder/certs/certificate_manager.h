#pragma once

// CertificateManager: keeps a component's self-managed certificates current (DESIGN.md §6). It
// loads (or creates) the shared CA from the Secret `korder-ca`, writes the CA certificate and
// each leaf certificate with its key into files, and re-issues a leaf when 2/3 of its lifetime
// has passed or when the CA in the Secret changed. The servers read those files as they read
// files an operator or cert-manager provides (the webhook's and gRPC's file reloading), so
// rotation needs no restart.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/certs/ca_secret.h"
#include "korder/certs/certificate_authority.h"

namespace korder::kclient {
class ClockCondVar;
}  // namespace korder::kclient

namespace korder::certs {

/// One leaf certificate kept in two files.
struct LeafCertificate {
  /// For logs: `serving`, `quota-client`.
  std::string name;
  std::string cert_file;
  std::string key_file;
  CertificateRequest request;
};

/// The serving certificate request of Service `service` in `namespace_`: CN
/// `<service>.<namespace>.svc`, DNS names `<service>`, `<service>.<namespace>`,
/// `<service>.<namespace>.svc`, `<service>.<namespace>.svc.cluster.local`.
CertificateRequest serving_request(const std::string& service, const std::string& namespace_,
                                   std::chrono::seconds validity);

/// Where a daemon keeps its self-managed certificates (the `--cert-dir`, `--namespace`,
/// `--ca-secret-name`, `--ca-check-interval` and `--cert-validity` flags of the webhook and the
/// quota controller).
struct SelfManagedOptions {
  /// A writable directory (an emptyDir in the Deployment): `ca.crt` and the leaf files.
  std::string cert_dir = "/var/run/korder/certs";
  /// The namespace of the CA Secret and of the Services the serving certificates name.
  std::string namespace_ = "korder-system";
  std::string ca_secret_name = "korder-ca";
  std::chrono::nanoseconds check_interval = std::chrono::minutes(1);
  std::chrono::seconds validity = std::chrono::hours(24 * 90);

  /// `<cert_dir>/<file>`.
  std::string path(const std::string& file) const { return cert_dir + "/" + file; }
};

/// What a CertificateManager keeps.
struct CertificateManagerConfig {
  CaSecretRef ca_secret;
  /// Where the CA certificate (the trust bundle for peers) is written.
  std::string ca_file;
  std::vector<LeafCertificate> leaves;
  /// How often the CA Secret is read again (a changed CA re-issues every leaf), when no leaf
  /// falls due sooner.
  std::chrono::nanoseconds check_interval = std::chrono::minutes(1);
  /// The wait after a failed pass.
  std::chrono::nanoseconds retry_interval = std::chrono::seconds(5);
  /// The lifetime of a CA this manager creates.
  std::chrono::seconds ca_validity = kDefaultCaValidity;

  /// Every problem, one line each (empty when valid).
  std::vector<std::string> validate() const;
};

/// Keeps the files of a CertificateManagerConfig current. `sync()` is one pass; `start()` runs
/// passes on a thread of its own until `stop()`: at once, then when the first leaf falls due or
/// `check_interval` passes, whichever is sooner (`retry_interval` after a failure). Files are
/// replaced atomically (write to a temporary file, rename), and only when their content changes;
/// keys are mode 0600. Thread-safe; the clock must outlive it.
class CertificateManager {
 public:
  /// Precondition (checked): `config.validate()` is empty.
  CertificateManager(CertificateManagerConfig config, Clock& clock);
  /// Stops the thread if it runs.
  ~CertificateManager();
  CertificateManager(const CertificateManager&) = delete;
  CertificateManager& operator=(const CertificateManager&) = delete;

  /// Calls `callback(ca_pem)` after each pass that saw a different CA than the pass before (the
  /// first successful pass included), on the calling or the manager's thread. Set it before
  /// `start()`.
  void on_ca_changed(std::function<void(const std::string& ca_pem)> callback);

  /// One pass: load or create the CA, write the CA file, re-issue the leaves that need it.
  /// Returns when the next pass is due. Blocking (REST calls): never on an io thread. Errors:
  /// the CA Secret cannot be read or created or holds no valid CA, a file cannot be written.
  Expected<TimePoint, std::string> sync(SecretClient& client);

  /// Runs passes on a thread until `stop()`: the first at `first_pass` (at once when unset; a
  /// daemon that made its first pass at startup passes what that pass returned), then as
  /// described above. `client` must outlive the thread.
  void start(SecretClient& client, std::optional<TimePoint> first_pass = std::nullopt);
  /// Stops and joins the thread (waits for a pass in progress). Idempotent.
  void stop();

  /// The CA certificate (PEM) of the last successful pass; empty before one.
  std::string ca_pem() const;
  /// Leaf certificates issued since construction.
  std::uint64_t issued() const;

 private:
  void loop(SecretClient& client, std::optional<TimePoint> first_pass);
  /// Waits until `wait` has passed on the clock or stop() is called; returns whether to go on.
  bool wait_for(std::chrono::nanoseconds wait);

  const CertificateManagerConfig config_;
  Clock& clock_;
  std::function<void(const std::string&)> ca_changed_;
  mutable absl::Mutex mu_;
  std::string ca_pem_ ABSL_GUARDED_BY(mu_);
  std::uint64_t issued_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<kclient::ClockCondVar> wake_;
  std::thread thread_;
};

}  // namespace korder::certs
