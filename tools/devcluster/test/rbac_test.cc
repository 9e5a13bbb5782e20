// RBAC evaluation without a server: request attributes read from URLs as Kubernetes'
// RequestInfoFactory does, rule matching, kube-apiserver's 403 messages, the audit line.
#include "rbac.h"

#include <catch2/catch.hpp>

#include "audit.h"
#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

RequestAttributes attributes_of(const std::string& method, const std::string& target) {
  HttpRequest request;
  request.method = method;
  parse_target(target, request);
  return request_attributes(request, service_account_user("korder-system", "c", "uid-1"));
}

PolicyRule rule(std::vector<std::string> verbs, std::vector<std::string> groups,
                std::vector<std::string> resources, std::vector<std::string> names = {}) {
  return {std::move(verbs), std::move(groups), std::move(resources), std::move(names), {}};
}

TEST_CASE("request attributes map HTTP methods to Kubernetes verbs", "[unit]") {
  CHECK(attributes_of("GET", "/api/v1/namespaces/default/pods/p").verb == "get");
  CHECK(attributes_of("GET", "/api/v1/namespaces/default/pods").verb == "list");
  CHECK(attributes_of("GET", "/api/v1/pods?watch=true").verb == "watch");
  CHECK(attributes_of("GET", "/api/v1/pods?watch=1").verb == "watch");
  CHECK(attributes_of("GET", "/api/v1/pods?watch=false").verb == "list");
  CHECK(attributes_of("POST", "/api/v1/namespaces/default/pods").verb == "create");
  CHECK(attributes_of("PUT", "/api/v1/namespaces/default/pods/p").verb == "update");
  CHECK(attributes_of("PATCH", "/api/v1/namespaces/default/pods/p").verb == "patch");
  CHECK(attributes_of("DELETE", "/api/v1/namespaces/default/pods/p").verb == "delete");
  CHECK(attributes_of("DELETE", "/api/v1/namespaces/default/pods").verb == "deletecollection");
}

TEST_CASE("request attributes carry group, resource, subresource, namespace and name", "[unit]") {
  const auto status =
      attributes_of("PUT", "/apis/core.korder.dev/v1alpha1/namespaces/ns/tickets/t/status");
  CHECK(status.resource_request);
  CHECK(status.api_group == "core.korder.dev");
  CHECK(status.api_version == "v1alpha1");
  CHECK(status.resource == "tickets");
  CHECK(status.subresource == "status");
  CHECK(status.namespace_ == "ns");
  CHECK(status.name == "t");
  const auto binding = attributes_of("POST", "/api/v1/namespaces/ns/pods/p/binding");
  CHECK(
      (binding.verb == "create" && binding.resource == "pods" && binding.subresource == "binding"));
  const auto token = attributes_of("POST", "/api/v1/namespaces/ns/serviceaccounts/sa/token");
  CHECK(
      (token.resource == "serviceaccounts" && token.subresource == "token" && token.name == "sa"));
  // A namespace is in its own namespace, as Kubernetes reads the URL.
  const auto ns = attributes_of("GET", "/api/v1/namespaces/team-a");
  CHECK((ns.resource == "namespaces" && ns.name == "team-a" && ns.namespace_ == "team-a"));
  const auto finalize = attributes_of("PUT", "/api/v1/namespaces/team-a/finalize");
  CHECK((finalize.resource == "namespaces" && finalize.subresource == "finalize"));
  const auto nodes = attributes_of("GET", "/api/v1/nodes");
  CHECK((nodes.verb == "list" && nodes.namespace_.empty()));
  // A list or watch of one object by field selector names it.
  CHECK(attributes_of("GET", "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp").name ==
        "p");
  CHECK(attributes_of("GET", "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name!%3Dp")
            .name.empty());
}

TEST_CASE("discovery, version and health paths are non-resource requests", "[unit]") {
  for (const char* path : {"/api", "/api/v1", "/apis", "/apis/core.korder.dev",
                           "/apis/core.korder.dev/v1alpha1", "/version", "/openapi/v3"}) {
    const auto a = attributes_of("GET", path);
    INFO(path);
    CHECK_FALSE(a.resource_request);
    CHECK(a.verb == "get");
    CHECK(a.path == path);
  }
}

TEST_CASE("rules match verbs, groups, resources and subresources with wildcards", "[unit]") {
  const auto list = attributes_of("GET", "/apis/core.korder.dev/v1alpha1/tickets");
  CHECK(rule_allows(rule({"list"}, {"core.korder.dev"}, {"tickets"}), list));
  CHECK(rule_allows(rule({"*"}, {"*"}, {"*"}), list));
  CHECK_FALSE(rule_allows(rule({"get"}, {"core.korder.dev"}, {"tickets"}), list));
  CHECK_FALSE(rule_allows(rule({"list"}, {""}, {"tickets"}), list));
  CHECK_FALSE(rule_allows(rule({"list"}, {"core.korder.dev"}, {"orders"}), list));

  const auto status =
      attributes_of("PUT", "/apis/core.korder.dev/v1alpha1/namespaces/ns/tickets/t/status");
  CHECK(rule_allows(rule({"update"}, {"core.korder.dev"}, {"tickets/status"}), status));
  CHECK(rule_allows(rule({"update"}, {"core.korder.dev"}, {"*/status"}), status));
  // Access to the resource is not access to its subresources.
  CHECK_FALSE(rule_allows(rule({"update"}, {"core.korder.dev"}, {"tickets"}), status));
  CHECK_FALSE(rule_allows(rule({"update"}, {"core.korder.dev"}, {"*/scale"}), status));
  CHECK_FALSE(
      rule_allows(rule({"update"}, {"core.korder.dev"}, {"tickets/status"}),
                  attributes_of("PUT", "/apis/core.korder.dev/v1alpha1/namespaces/ns/tickets/t")));
}

TEST_CASE("resourceNames limit named requests and never match a create or a list", "[unit]") {
  const PolicyRule named = rule({"get", "update", "create", "list"}, {"coordination.k8s.io"},
                                {"leases"}, {"korder-order-controller"});
  const std::string base = "/apis/coordination.k8s.io/v1/namespaces/korder-system/leases";
  CHECK(rule_allows(named, attributes_of("GET", base + "/korder-order-controller")));
  CHECK(rule_allows(named, attributes_of("PUT", base + "/korder-order-controller")));
  CHECK_FALSE(rule_allows(named, attributes_of("GET", base + "/other")));
  CHECK_FALSE(rule_allows(named, attributes_of("POST", base)));
  CHECK_FALSE(rule_allows(named, attributes_of("GET", base)));
  CHECK(rule_allows(rule({"create"}, {"coordination.k8s.io"}, {"leases"}),
                    attributes_of("POST", base)));
}

TEST_CASE("nonResourceURLs match exactly or by a trailing star", "[unit]") {
  PolicyRule urls{{"get"}, {}, {}, {}, {"/healthz", "/metrics/*"}};
  CHECK(rule_allows(urls, attributes_of("GET", "/healthz")));
  CHECK(rule_allows(urls, attributes_of("GET", "/metrics/cadvisor")));
  CHECK_FALSE(rule_allows(urls, attributes_of("GET", "/healthz/etcd")));
  CHECK_FALSE(rule_allows(urls, attributes_of("POST", "/healthz")));
  // A resource rule never grants a path, nor a path rule a resource.
  CHECK_FALSE(rule_allows(rule({"*"}, {"*"}, {"*"}), attributes_of("GET", "/healthz")));
  CHECK_FALSE(
      rule_allows(PolicyRule{{"*"}, {}, {}, {}, {"*"}}, attributes_of("GET", "/api/v1/pods")));
}

TEST_CASE("denials read exactly like kube-apiserver's", "[unit]") {
  auto a = attributes_of("DELETE", "/api/v1/namespaces/default/pods/x");
  a.user = service_account_user("korder-system", "korder-ticket-controller", "u");
  ApiError e = forbidden_error(a, "");
  CHECK(e.code == 403);
  CHECK(e.reason == "Forbidden");
  CHECK(e.message ==
        "pods \"x\" is forbidden: User \"system:serviceaccount:korder-system:korder-ticket-"
        "controller\" cannot delete resource \"pods\" in API group \"\" in the namespace "
        "\"default\"");
  CHECK(e.name == "x");
  CHECK(e.kind == "pods");

  auto nodes = attributes_of("GET", "/api/v1/nodes");
  nodes.user = anonymous_user();
  CHECK(forbidden_error(nodes, "").message ==
        "nodes is forbidden: User \"system:anonymous\" cannot list resource \"nodes\" in API "
        "group \"\" at the cluster scope");

  auto status =
      attributes_of("PUT", "/apis/core.korder.dev/v1alpha1/namespaces/ns/tickets/t/status");
  status.user.name = "u";
  CHECK(forbidden_error(status, "RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found")
            .message ==
        "tickets.core.korder.dev \"t\" is forbidden: User \"u\" cannot update resource "
        "\"tickets/status\" in API group \"core.korder.dev\" in the namespace \"ns\": RBAC: "
        "clusterrole.rbac.authorization.k8s.io \"gone\" not found");

  auto path = attributes_of("GET", "/metrics");
  path.user.name = "u";
  CHECK(forbidden_error(path, "").message == "forbidden: User \"u\" cannot get path \"/metrics\"");
}

TEST_CASE("an audit entry is one JSON line naming user, verb, resource and code", "[unit]") {
  AuditEntry entry;
  entry.time = "2026-01-01T00:00:00.000000Z";
  entry.attributes =
      attributes_of("PUT", "/apis/core.korder.dev/v1alpha1/namespaces/ns/tickets/t/status");
  entry.code = 409;
  entry.decision = "allow";
  CHECK(audit_json(entry) ==
        R"({"time":"2026-01-01T00:00:00.000000Z","user":"system:serviceaccount:korder-system:c",)"
        R"("groups":["system:serviceaccounts","system:serviceaccounts:korder-system",)"
        R"("system:authenticated"],"verb":"update","apiGroup":"core.korder.dev",)"
        R"("apiVersion":"v1alpha1","resource":"tickets","subresource":"status",)"
        R"("namespace":"ns","name":"t","code":409,"decision":"allow"})");
  AuditEntry path;
  path.attributes = attributes_of("GET", "/version");
  path.code = 200;
  CHECK(audit_json(path).find(R"("verb":"get","path":"/version","code":200})") !=
        std::string::npos);
}

}  // namespace
}  // namespace korder::devcluster::testing
