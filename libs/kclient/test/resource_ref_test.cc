#include "korder/kclient/resource_ref.h"

#include <catch2/catch.hpp>
#include <string>

namespace korder::kclient {
namespace {

TEST_CASE("resource paths follow the API server's URL layout", "[unit][kclient]") {
  struct Case {
    const ResourceRef& resource;
    const char* namespace_;
    const char* name;
    const char* subresource;
    const char* path;
  };
  const Case cases[] = {
      {resources::pods(), "default", "", "", "/api/v1/namespaces/default/pods"},
      {resources::pods(), "default", "p1", "", "/api/v1/namespaces/default/pods/p1"},
      {resources::pods(), "", "", "", "/api/v1/pods"},
      {resources::pods(), "default", "p1", "binding", "/api/v1/namespaces/default/pods/p1/binding"},
      {resources::nodes(), "", "n1", "", "/api/v1/nodes/n1"},
      {resources::nodes(), "ignored", "n1", "status", "/api/v1/nodes/n1/status"},
      {resources::namespaces(), "", "team-a", "", "/api/v1/namespaces/team-a"},
      {resources::events(), "default", "", "", "/api/v1/namespaces/default/events"},
      {resources::leases(), "korder-system", "korder-order-controller", "",
       "/apis/coordination.k8s.io/v1/namespaces/korder-system/leases/korder-order-controller"},
      {resources::orders(), "default", "my-order", "",
       "/apis/core.korder.dev/v1alpha1/namespaces/default/orders/my-order"},
      {resources::orders(), "default", "my-order", "status",
       "/apis/core.korder.dev/v1alpha1/namespaces/default/orders/my-order/status"},
      {resources::tickets(), "", "", "", "/apis/core.korder.dev/v1alpha1/tickets"},
      {resources::quotas(), "default", "team-a", "",
       "/apis/core.korder.dev/v1alpha1/quotas/team-a"},
      {resources::pods(), "default", "a b/c", "", "/api/v1/namespaces/default/pods/a%20b%2Fc"},
  };
  for (const Case& c : cases) {
    INFO(c.path);
    CHECK(c.resource.path(c.namespace_, c.name, c.subresource) == c.path);
  }
}

TEST_CASE("a resource is named plural.group as Kubernetes messages name it", "[unit][kclient]") {
  CHECK(resources::orders().qualified_name() == "orders.core.korder.dev");
  CHECK(resources::leases().qualified_name() == "leases.coordination.k8s.io");
  CHECK(resources::pods().qualified_name() == "pods");
  CHECK(resources::quotas().group_version_path() == "/apis/core.korder.dev/v1alpha1");
  CHECK(resources::events().group_version_path() == "/api/v1");
  CHECK_FALSE(resources::quotas().namespaced);
  CHECK(resources::tickets().namespaced);
}

TEST_CASE("escaping matches Go's url.QueryEscape and url.PathEscape", "[unit][kclient]") {
  CHECK(escape_query_value("metadata.name=my-order") == "metadata.name%3Dmy-order");
  CHECK(escape_query_value("a=b,c in (x,y),!f") == "a%3Db%2Cc+in+%28x%2Cy%29%2C%21f");
  CHECK(escape_query_value("korder.dev/order") == "korder.dev%2Forder");
  CHECK(escape_query_value("~_.-09azAZ") == "~_.-09azAZ");
  CHECK(escape_path_segment("a b/c?d") == "a%20b%2Fc%3Fd");
  CHECK(escape_path_segment("x:y@z=1&$+") == "x:y@z=1&$+");
  CHECK(escape_path_segment("caf\xc3\xa9") == "caf%C3%A9");
}

}  // namespace
}  // namespace korder::kclient
