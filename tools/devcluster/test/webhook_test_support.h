#pragma once

// Building blocks of the webhook tests: webhook configuration JSON, the service map entry for
// a test webhook, ConfigMap bodies.

#include <string>
#include <vector>

#include "test_support.h"
#include "webhook_test_server.h"

namespace korder::devcluster::testing {

/// The service every test webhook stands for, and the name its certificate carries.
inline const std::string kHookNamespace = "webhooks";
inline const std::string kHookService = "hook";
inline const std::string kHookDns = "hook.webhooks.svc";

inline const std::string kConfigMapRules =
    R"([{"operations":["CREATE","UPDATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}])";

/// One webhook of a configuration.
struct HookSpec {
  HookSpec(std::string name_, std::string path_, std::string ca_bundle_,
           std::string rules_ = kConfigMapRules, std::string extra_ = "", std::string client_ = "")
      : name(std::move(name_)),
        path(std::move(path_)),
        ca_bundle(std::move(ca_bundle_)),
        rules(std::move(rules_)),
        extra(std::move(extra_)),
        client(std::move(client_)) {}

  std::string name;
  std::string path;
  std::string ca_bundle;
  std::string rules;
  /// More members, each starting with a comma: `,"failurePolicy":"Ignore"`.
  std::string extra;
  /// The members of clientConfig other than caBundle; empty: the test service at `path`.
  std::string client;
};

inline std::string hook_json(const HookSpec& h) {
  const std::string client = h.client.empty() ? R"("service":{"namespace":")" + kHookNamespace +
                                                    R"(","name":")" + kHookService +
                                                    R"(","path":")" + h.path + R"(","port":443})"
                                              : h.client;
  return R"({"name":")" + h.name + R"(","clientConfig":{)" + client + R"(,"caBundle":")" +
         h.ca_bundle + R"("},"rules":)" + h.rules +
         R"(,"sideEffects":"None","admissionReviewVersions":["v1"])" + h.extra + "}";
}

inline std::string configuration_json(bool mutating, const std::string& name,
                                      const std::vector<HookSpec>& hooks) {
  std::string items;
  for (const auto& h : hooks) {
    items += (items.empty() ? "" : ",") + hook_json(h);
  }
  return R"({"apiVersion":"admissionregistration.k8s.io/v1","kind":")" +
         std::string(mutating ? "Mutating" : "Validating") +
         R"(WebhookConfiguration","metadata":{"name":")" + name + R"("},"webhooks":[)" + items +
         "]}";
}

inline std::string configuration_path(bool mutating) {
  return std::string("/apis/admissionregistration.k8s.io/v1/") +
         (mutating ? "mutating" : "validating") + "webhookconfigurations";
}

/// POSTs a configuration; the response.
inline Response register_hooks(HttpClient& client, bool mutating, const std::string& name,
                               const std::vector<HookSpec>& hooks) {
  return client.post(configuration_path(mutating), configuration_json(mutating, name, hooks));
}

/// Options mapping the test service to 127.0.0.1:port.
inline DevClusterOptions mapped_to(std::uint16_t port, int io_threads = 2) {
  DevClusterOptions options;
  options.webhook_service_map = {kHookNamespace + "/" + kHookService +
                                 "=127.0.0.1:" + std::to_string(port)};
  options.io_threads = io_threads;
  return options;
}

/// A ConfigMap body with optional labels/annotations JSON objects.
inline std::string config_map(const std::string& name, const std::string& labels = "{}",
                              const std::string& annotations = "{}") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"(","labels":)" +
         labels + R"(,"annotations":)" + annotations + R"(},"data":{"a":"1"}})";
}

inline std::string str(const JsonValue& v, std::initializer_list<std::string_view> path) {
  return std::string(string_at(v, path));
}

}  // namespace korder::devcluster::testing
