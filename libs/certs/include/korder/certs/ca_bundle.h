#pragma once

// Keeps the CA in the `caBundle` of korder's webhook configurations (DESIGN.md §6):
// deploy/install.yaml leaves caBundle out, so a second `kubectl apply` changes nothing, and the
// webhook patches its CA in. Only caBundle is written (a JSON patch guarded by `test` ops on the
// resourceVersion and each webhook's name), only when it differs, and the configurations are
// checked again periodically and whenever the CA changes, so a re-applied or edited
// configuration is repaired.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "korder/base/expected.h"
#include "korder/kclient/reconciler.h"
#include "korder/kclient/request.h"

namespace korder::kclient {
class RestClient;
}  // namespace korder::kclient

namespace korder::certs {

/// The JSON patch that sets `ca_bundle` (base64 of the CA's PEM) in every webhook of the
/// webhook configuration `configuration_json` whose `clientConfig.caBundle` differs, or nullopt
/// when every one already matches. The patch first tests `metadata.resourceVersion` and each
/// patched webhook's `name`, so a configuration changed since it was read is not patched
/// blindly. Errors: JSON that is not a webhook configuration (`webhooks[1].clientConfig:
/// missing`).
Expected<std::optional<std::string>, std::string> ca_bundle_patch(
    std::string_view configuration_json, const std::string& ca_bundle);

/// The request that names a configuration. The configurations are cluster-scoped, so the
/// request's namespace field carries the resource instead: `mutatingwebhookconfigurations/<name>`
/// or `validatingwebhookconfigurations/<name>` in logs and queues.
kclient::Request mutating_configuration(const std::string& name);
kclient::Request validating_configuration(const std::string& name);

/// Reconciles one webhook configuration's caBundle with the current CA. A configuration that
/// does not exist (not installed yet) is checked again after `check_interval`; so is one that is
/// current. Before the CA is known (`ca_pem()` empty) it comes back after a second. A failed
/// patch (a concurrent change fails a `test` op; a 409) is an error, retried with the
/// controller's backoff after a fresh read.
class CaBundleReconciler final : public kclient::Reconciler {
 public:
  CaBundleReconciler(kclient::RestClient& client, std::function<std::string()> ca_pem,
                     std::chrono::nanoseconds check_interval)
      : client_(client), ca_pem_(std::move(ca_pem)), check_interval_(check_interval) {}

  Expected<kclient::ReconcileResult, kclient::ReconcileError> reconcile(
      const kclient::Request& request) override;

 private:
  kclient::RestClient& client_;
  std::function<std::string()> ca_pem_;
  std::chrono::nanoseconds check_interval_;
};

}  // namespace korder::certs
