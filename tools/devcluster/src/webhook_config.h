#pragma once

// Mutating/ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1): the webhooks they
// register, parsed for the admission plugin, and their validation on write (as
// kube-apiserver's ValidateMutatingWebhookConfiguration does, including the CEL subset of
// matchConditions).

#include <optional>
#include <string>
#include <vector>

#include "cel.h"
#include "json_access.h"
#include "korder/api/label_selector.h"
#include "korder/base/error.h"

namespace korder::devcluster {

/// One `rules[]` entry (RuleWithOperations).
struct WebhookRule {
  std::vector<std::string> operations;  // CREATE, UPDATE, DELETE, CONNECT, *
  std::vector<std::string> api_groups;
  std::vector<std::string> api_versions;
  std::vector<std::string> resources;  // `pods`, `pods/status`, `*`, `*/*`, `pods/*`
  std::string scope = "*";             // Cluster, Namespaced, *
};

/// `clientConfig`: a URL or a service, and the CA that signs the webhook's certificate.
struct WebhookClientConfig {
  std::string url;
  std::string service_namespace;
  std::string service_name;
  std::string service_path;
  int service_port = 443;
  std::string ca_bundle_pem;  // decoded caBundle; empty: the system's roots
};

/// One `matchConditions[]` entry.
struct WebhookMatchCondition {
  std::string name;
  CelExpression expression;
};

/// One webhook of a configuration, with its defaults applied.
struct Webhook {
  std::string uid;            // `<configuration>/<name>/<index>`: identity for reinvocation
  std::string configuration;  // the configuration's name
  std::string name;
  bool mutating = false;
  WebhookClientConfig client;
  std::vector<WebhookRule> rules;
  api::Selector namespace_selector;
  api::Selector object_selector;
  bool fail_open = false;  // failurePolicy Ignore (default Fail)
  std::string side_effects;
  int timeout_seconds = 10;
  bool reinvoke_if_needed = false;  // reinvocationPolicy IfNeeded (mutating only)
  std::vector<WebhookMatchCondition> match_conditions;
  /// Set when a stored configuration cannot be used (it was stored before validation
  /// existed, or through the store directly): calls fail with this reason.
  std::string broken;
};

/// The webhooks of one configuration object, in order.
std::vector<Webhook> parse_webhook_configuration(const JsonValue& object, bool mutating);

/// Validation of a configuration on create/update; field paths are `webhooks[i]....`.
FieldErrors validate_webhook_configuration(const JsonValue& object, bool mutating);

}  // namespace korder::devcluster
