#pragma once

// Admission webhooks as kube-apiserver runs them: the AdmissionPlugin that reads the stored
// Mutating/ValidatingWebhookConfigurations, picks the webhooks whose rules, namespaceSelector,
// objectSelector and matchConditions match a write, and calls them with AdmissionReview v1
// over HTTPS (webhook_client.h). Mutating webhooks patch the object (JSONPatch) and are
// reinvoked once when IfNeeded and a later webhook changed the object; failures follow
// failurePolicy; denials carry the webhook's status; warnings reach the client.

#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "admission.h"
#include "store.h"
#include "webhook_client.h"
#include "webhook_config.h"

namespace korder::devcluster {

class WebhookAdmission final : public AdmissionPlugin {
 public:
  WebhookAdmission(Store& store, WebhookServiceMap services);

  Awaitable<AdmissionResult> mutate(AdmissionRequest& request) override;
  Awaitable<AdmissionResult> validate(const AdmissionRequest& request) override;

 private:
  using WebhookPtr = std::shared_ptr<const Webhook>;
  struct Call;

  /// The current webhooks of one kind, ordered by configuration name (re-parsed only when a
  /// configuration's resourceVersion changed).
  std::vector<WebhookPtr> webhooks(bool mutating);
  Awaitable<std::optional<ApiError>> run_mutating(AdmissionRequest& request,
                                                  std::vector<std::string>& warnings);
  Awaitable<std::optional<ApiError>> run_validating(const AdmissionRequest& request,
                                                    std::vector<std::string>& warnings);
  struct CallOutcome {
    bool invoked = false;  // it matched (rules, selectors, matchConditions)
    bool changed = false;  // its patch changed the object
  };
  /// Calls one webhook if it matches: nullopt when the request may go on.
  Awaitable<std::optional<ApiError>> call(const Webhook& hook, Call& call, CallOutcome& outcome,
                                          std::vector<std::string>& warnings);
  std::string new_uid();

  Store& store_;
  const WebhookServiceMap services_;
  WebhookClient client_;
  std::mutex mu_;
  struct Cached {
    std::uint64_t rv = 0;
    std::vector<WebhookPtr> hooks;
  };
  std::map<std::string, Cached> mutating_cache_;    // by configuration name, guarded by mu_
  std::map<std::string, Cached> validating_cache_;  // guarded by mu_
  std::mt19937_64 rng_;                             // guarded by mu_
};

}  // namespace korder::devcluster
