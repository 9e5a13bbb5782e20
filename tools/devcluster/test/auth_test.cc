// Authentication (admin and ServiceAccount bearer tokens, TokenRequest), RBAC enforcement from
// stored Roles and bindings, OwnerReferencesPermissionEnforcement and the audit log, against an
// in-process devcluster started with --authorization-mode RBAC.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

const std::string kAdmin(kAdminToken);

DevClusterOptions rbac_options(const std::string& audit_path = "") {
  DevClusterOptions options;
  options.authorization_mode = AuthorizationMode::Rbac;
  options.audit_log_path = audit_path;
  return options;
}

/// An admin client and helpers to create objects and mint tokens.
class Rbac {
 public:
  explicit Rbac(TestCluster& tc) : tc_(tc), admin_(tc.port()) { admin_.set_bearer_token(kAdmin); }

  void create(const std::string& collection, const std::string& json) {
    const Response r = admin_.post(collection, json);
    INFO(collection << " " << r.body);
    REQUIRE(r.status == 201);
  }

  void service_account(const std::string& ns, const std::string& name) {
    create("/api/v1/namespaces/" + ns + "/serviceaccounts",
           R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":")" + name + R"("}})");
  }

  std::string token(const std::string& ns, const std::string& name) {
    const Response r =
        admin_.post("/api/v1/namespaces/" + ns + "/serviceaccounts/" + name + "/token",
                    R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}})");
    INFO(r.body);
    REQUIRE(r.status == 201);
    const std::string token(string_at(r.json(), {"status", "token"}));
    REQUIRE_FALSE(token.empty());
    return token;
  }

  /// A Role (ns non-empty) or ClusterRole named `name` with `rules` (JSON array), bound to
  /// `subject` (JSON object) by a binding of the same kind and name.
  void grant(const std::string& ns, const std::string& name, const std::string& rules,
             const std::string& subject) {
    const bool cluster = ns.empty();
    const std::string base = cluster ? "/apis/rbac.authorization.k8s.io/v1/"
                                     : "/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns + "/";
    const std::string kind = cluster ? "ClusterRole" : "Role";
    create(base + (cluster ? "clusterroles" : "roles"),
           R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":")" + kind +
               R"(","metadata":{"name":")" + name + R"("},"rules":)" + rules + "}");
    create(base + (cluster ? "clusterrolebindings" : "rolebindings"),
           R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":")" + kind +
               R"(Binding","metadata":{"name":")" + name +
               R"("},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":")" + kind +
               R"(","name":")" + name + R"("},"subjects":[)" + subject + "]}");
  }

  HttpClient& admin() { return admin_; }

 private:
  TestCluster& tc_;
  HttpClient admin_;
};

const std::string kPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"schedulerName":"none",)"
    R"("containers":[{"name":"c","image":"busybox"}]}})";

TEST_CASE("with RBAC on, an unknown token is 401 and a request without one is anonymous",
          "[integration]") {
  TestCluster tc(rbac_options());
  HttpClient client(tc.port());
  client.set_bearer_token("not-a-token");
  const Response bad = client.get("/api/v1/namespaces/default/pods");
  CHECK(bad.status == 401);
  CHECK(bad.body == R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                    R"("message":"Unauthorized","reason":"Unauthorized","code":401})");
  client.set_bearer_token("");
  const Response anonymous = client.get("/api/v1/namespaces/default/pods");
  CHECK(anonymous.status == 403);
  CHECK(string_at(anonymous.json(), {"message"}) ==
        "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API "
        "group \"\" in the namespace \"default\"");
  // Anyone may read the version and health; discovery needs a login.
  CHECK(client.get("/version").status == 200);
  CHECK(client.get("/healthz").status == 200);
  CHECK(client.get("/api").status == 403);
  client.set_bearer_token(kAdmin);
  CHECK(client.get("/api/v1/namespaces/default/pods").status == 200);
  CHECK(client.get("/api").status == 200);
}

TEST_CASE("without RBAC every request is served, whatever its token", "[integration]") {
  TestCluster tc;
  HttpClient client(tc.port());
  client.set_bearer_token("not-a-token");
  CHECK(client.get("/api/v1/namespaces/default/pods").status == 200);
  CHECK(client.post("/api/v1/namespaces/default/pods", kPod).status == 201);
}

TEST_CASE("a TokenRequest mints a token for the ServiceAccount that names its user",
          "[integration]") {
  TestCluster tc(rbac_options());
  Rbac rbac(tc);
  // 404 for a ServiceAccount that does not exist, 422 for a too short expiration.
  Response missing = rbac.admin().post("/api/v1/namespaces/default/serviceaccounts/nobody/token",
                                       R"({"kind":"TokenRequest","spec":{}})");
  CHECK(missing.status == 404);
  CHECK(string_at(missing.json(), {"message"}) == "serviceaccounts \"nobody\" not found");
  rbac.service_account("default", "robot");
  Response short_lived =
      rbac.admin().post("/api/v1/namespaces/default/serviceaccounts/robot/token",
                        R"({"kind":"TokenRequest","spec":{"expirationSeconds":60}})");
  CHECK(short_lived.status == 422);
  CHECK(string_at(short_lived.json(), {"message"}) ==
        "TokenRequest.authentication.k8s.io \"robot\" is invalid: spec.expirationSeconds: "
        "Invalid value: 60: may not specify a duration less than 10 minutes");

  const Response minted =
      rbac.admin().post("/api/v1/namespaces/default/serviceaccounts/robot/token",
                        R"({"kind":"TokenRequest","spec":{"expirationSeconds":3600}})");
  REQUIRE(minted.status == 201);
  const JsonDocument doc = minted.json();
  CHECK(string_at(doc, {"kind"}) == "TokenRequest");
  CHECK(string_at(doc, {"apiVersion"}) == "authentication.k8s.io/v1");
  CHECK(int_at(doc, {"spec", "expirationSeconds"}) == 3600);
  CHECK_FALSE(string_at(doc, {"status", "expirationTimestamp"}).empty());

  HttpClient robot(tc.port());
  robot.set_bearer_token(std::string(string_at(doc, {"status", "token"})));
  const Response who = robot.post("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                  R"({"kind":"SelfSubjectReview"})");
  REQUIRE(who.status == 201);
  const JsonDocument review = who.json();
  CHECK(string_at(review, {"status", "userInfo", "username"}) ==
        "system:serviceaccount:default:robot");
  CHECK(string_list(find_path(review, {"status", "userInfo", "groups"})) ==
        std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:default",
                                 "system:authenticated"});
  // Discovery is open to every authenticated user; pods are not.
  CHECK(robot.get("/apis").status == 200);
  CHECK(robot.get("/api/v1/namespaces/default/pods").status == 403);

  // The token dies with its ServiceAccount.
  REQUIRE(rbac.admin().del("/api/v1/namespaces/default/serviceaccounts/robot").status == 200);
  CHECK(robot.get("/apis").status == 401);
}

TEST_CASE("Roles and ClusterRoles grant exactly their verbs, resources and names",
          "[integration]") {
  TestCluster tc(rbac_options());
  Rbac rbac(tc);
  rbac.service_account("korder-system", "c");
  HttpClient c(tc.port());
  c.set_bearer_token(rbac.token("korder-system", "c"));
  const std::string sa = R"({"kind":"ServiceAccount","name":"c","namespace":"korder-system"})";
  rbac.grant("default", "pods",
             R"([{"apiGroups":[""],"resources":["pods"],"verbs":["list","create"]},)"
             R"({"apiGroups":[""],"resources":["pods/status"],"verbs":["update"]},)"
             R"({"apiGroups":[""],"resources":["configmaps"],"resourceNames":["mine"],)"
             R"("verbs":["get","create"]}])",
             sa);
  rbac.grant("", "nodes", R"([{"apiGroups":["*"],"resources":["nodes"],"verbs":["*"]}])",
             R"({"kind":"Group","name":"system:serviceaccounts:korder-system"})");

  CHECK(c.get("/api/v1/namespaces/default/pods").status == 200);
  CHECK(c.post("/api/v1/namespaces/default/pods", kPod).status == 201);
  // A Role grants in its namespace only; list is not get, nor update of the pod.
  const Response elsewhere = c.get("/api/v1/namespaces/korder-system/pods");
  CHECK(elsewhere.status == 403);
  CHECK(string_at(elsewhere.json(), {"message"}) ==
        "pods is forbidden: User \"system:serviceaccount:korder-system:c\" cannot list resource "
        "\"pods\" in API group \"\" in the namespace \"korder-system\"");
  CHECK(c.get("/api/v1/namespaces/default/pods/p").status == 403);
  const Response removed = c.del("/api/v1/namespaces/default/pods/p");
  CHECK(removed.status == 403);
  const JsonDocument denial = removed.json();
  CHECK(string_at(denial, {"reason"}) == "Forbidden");
  CHECK(int_at(denial, {"code"}) == 403);
  CHECK(string_at(denial, {"details", "name"}) == "p");
  CHECK(string_at(denial, {"details", "kind"}) == "pods");
  CHECK(string_at(denial, {"message"}) ==
        "pods \"p\" is forbidden: User \"system:serviceaccount:korder-system:c\" cannot delete "
        "resource \"pods\" in API group \"\" in the namespace \"default\"");
  // The status subresource is its own resource.
  const Response pod = rbac.admin().get("/api/v1/namespaces/default/pods/p");
  CHECK(c.put("/api/v1/namespaces/default/pods/p/status", pod.body).status == 200);
  CHECK(c.put("/api/v1/namespaces/default/pods/p", pod.body).status == 403);
  // resourceNames: get of the named object only; create is never limited by names.
  REQUIRE(rbac.admin()
              .post("/api/v1/namespaces/default/configmaps",
                    R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"mine"}})")
              .status == 201);
  CHECK(c.get("/api/v1/namespaces/default/configmaps/mine").status == 200);
  CHECK(c.get("/api/v1/namespaces/default/configmaps/other").status == 403);
  const Response create =
      c.post("/api/v1/namespaces/default/configmaps",
             R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}})");
  CHECK(create.status == 403);
  CHECK(string_at(create.json(), {"message"}) ==
        "configmaps is forbidden: User \"system:serviceaccount:korder-system:c\" cannot create "
        "resource \"configmaps\" in API group \"\" in the namespace \"default\"");
  // A ClusterRoleBinding to a group, with wildcards.
  CHECK(c.get("/api/v1/nodes").status == 200);
  CHECK(c.get("/api/v1/nodes/dev-node-1").status == 200);
  // Watches are authorized too, before the stream starts.
  WatchStream denied(tc.port(), "/api/v1/namespaces/default/configmaps?watch=true",
                     "application/json", std::string(rbac.token("korder-system", "c")));
  REQUIRE(eventually([&] { return denied.status() != 0; }));
  CHECK(denied.status() == 403);
  WatchStream allowed(tc.port(), "/api/v1/nodes?watch=true", "application/json",
                      rbac.token("korder-system", "c"));
  REQUIRE(allowed.next_event());
  CHECK(allowed.status() == 200);
}

TEST_CASE("a binding to a missing role denies with an RBAC reason", "[integration]") {
  TestCluster tc(rbac_options());
  Rbac rbac(tc);
  rbac.service_account("default", "c");
  rbac.create("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
              R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",)"
              R"("metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io",)"
              R"("kind":"ClusterRole","name":"gone"},"subjects":[{"kind":"ServiceAccount",)"
              R"("name":"c"}]})");
  HttpClient c(tc.port());
  c.set_bearer_token(rbac.token("default", "c"));
  const Response r = c.get("/api/v1/namespaces/default/pods");
  CHECK(r.status == 403);
  CHECK(string_at(r.json(), {"message"}) ==
        "pods is forbidden: User \"system:serviceaccount:default:c\" cannot list resource "
        "\"pods\" in API group \"\" in the namespace \"default\": RBAC: "
        "clusterrole.rbac.authorization.k8s.io \"gone\" not found");
}

TEST_CASE("setting blockOwnerDeletion needs update on the owner's finalizers", "[integration]") {
  TempDir dir;
  TestCluster tc(rbac_options(dir.path() + "/audit.log"));
  Rbac rbac(tc);
  rbac.service_account("default", "c");
  HttpClient c(tc.port());
  c.set_bearer_token(rbac.token("default", "c"));
  rbac.grant("default", "pods", R"([{"apiGroups":[""],"resources":["pods"],"verbs":["create"]}])",
             R"({"kind":"ServiceAccount","name":"c"})");
  const Response owner =
      rbac.admin().post("/api/v1/namespaces/default/configmaps",
                        R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"owner"}})");
  REQUIRE(owner.status == 201);
  const std::string uid(string_at(owner.json(), {"metadata", "uid"}));
  auto pod = [&](const std::string& name, bool block) {
    return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
           R"(","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":")" +
           uid + R"(","blockOwnerDeletion":)" + (block ? "true" : "false") +
           R"(}]},"spec":{"schedulerName":"none","containers":[{"name":"c","image":"busybox"}]}})";
  };
  CHECK(c.post("/api/v1/namespaces/default/pods", pod("free", false)).status == 201);
  const Response denied = c.post("/api/v1/namespaces/default/pods", pod("blocking", true));
  CHECK(denied.status == 403);
  CHECK(string_at(denied.json(), {"message"}) ==
        "pods \"blocking\" is forbidden: cannot set blockOwnerDeletion if an ownerReference "
        "refers to a resource you can't set finalizers on: , <nil>");
  rbac.grant("default", "finalizers",
             R"([{"apiGroups":[""],"resources":["configmaps/finalizers"],"verbs":["update"]}])",
             R"({"kind":"ServiceAccount","name":"c"})");
  CHECK(c.post("/api/v1/namespaces/default/pods", pod("blocking", true)).status == 201);
  // The check is in the audit log.
  const Response audit = HttpClient(tc.admin_port()).get("/admin/audit");
  CHECK(
      audit.body.find(
          R"("resource":"configmaps","subresource":"finalizers","namespace":)"
          R"("default","name":"owner","code":200,"decision":"allow","check":"blockOwnerDeletion"})") !=
      std::string::npos);
}

TEST_CASE(
    "the audit log records every request with its user and code, in a file and at "
    "/admin/audit",
    "[integration]") {
  TempDir dir;
  const std::string path = dir.path() + "/audit.log";
  TestCluster tc(rbac_options(path));
  Rbac rbac(tc);
  rbac.service_account("default", "c");
  HttpClient c(tc.port());
  c.set_bearer_token(rbac.token("default", "c"));
  CHECK(c.del("/api/v1/namespaces/default/pods/x").status == 403);
  const std::string denied =
      R"("user":"system:serviceaccount:default:c","groups":["system:serviceaccounts",)"
      R"("system:serviceaccounts:default","system:authenticated"],"verb":"delete",)"
      R"("apiGroup":"","apiVersion":"v1","resource":"pods","subresource":"","namespace":)"
      R"("default","name":"x","code":403,"decision":"forbid"})";
  const std::string minted =
      R"("user":"korder-dev-admin","groups":["system:masters","system:authenticated"],)"
      R"("verb":"create","apiGroup":"","apiVersion":"v1","resource":"serviceaccounts",)"
      R"("subresource":"token","namespace":"default","name":"c","code":201,"decision":"allow"})";
  const Response audit = HttpClient(tc.admin_port()).get("/admin/audit");
  REQUIRE(audit.status == 200);
  CHECK(audit.body.find(denied) != std::string::npos);
  CHECK(audit.body.find(minted) != std::string::npos);
  const std::string file = read_file(path);
  CHECK(file.find(denied) != std::string::npos);
  CHECK(file.find(minted) != std::string::npos);
  // One line per request.
  CHECK(std::count(file.begin(), file.end(), '\n') ==
        std::count(audit.body.begin(), audit.body.end(), '\n'));
}

TEST_CASE("without --audit-log-path there is no audit log", "[integration]") {
  TestCluster tc;
  const Response audit = HttpClient(tc.admin_port()).get("/admin/audit");
  CHECK(audit.status == 404);
  CHECK(string_at(audit.json(), {"message"}) ==
        "the audit log is off: start korder-devcluster with --audit-log-path FILE");
}

TEST_CASE("kubectl create token, auth whoami and auth can-i work as on a real cluster",
          "[integration]") {
  TestCluster tc(rbac_options());
  const std::map<std::string, std::string> env = {
      {"HOME", tc.dir()}, {"KUBECACHEDIR", tc.dir() + "/cache"}, {"KUBECONFIG", tc.kubeconfig()}};
  auto kubectl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "kubectl");
    return run_command(args, env, std::chrono::seconds(20));
  };
  auto created = kubectl({"create", "serviceaccount", "robot"});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  auto role = kubectl({"create", "role", "pod-reader", "--verb=get,list", "--resource=pods"});
  INFO(role.out << role.err);
  REQUIRE(role.exit_code == 0);
  REQUIRE(kubectl({"create", "rolebinding", "robot", "--role=pod-reader",
                   "--serviceaccount=default:robot"})
              .exit_code == 0);
  auto token = kubectl({"create", "token", "robot", "--duration=1h"});
  INFO(token.err);
  REQUIRE(token.exit_code == 0);
  std::string t = token.out;
  while (!t.empty() && t.back() == '\n') {
    t.pop_back();
  }
  REQUIRE_FALSE(t.empty());
  const auto who = kubectl({"auth", "whoami", "--token=" + t});
  INFO(who.err);
  CHECK(who.out.find("system:serviceaccount:default:robot") != std::string::npos);
  CHECK(kubectl({"auth", "can-i", "list", "pods", "--token=" + t}).out == "yes\n");
  CHECK(kubectl({"auth", "can-i", "delete", "pods", "--token=" + t}).out == "no\n");
  CHECK(kubectl({"get", "pods", "--token=" + t}).exit_code == 0);
  const auto denied = kubectl({"get", "nodes", "--token=" + t});
  CHECK(denied.exit_code != 0);
  CHECK(denied.err.find("Error from server (Forbidden): nodes is forbidden: User "
                        "\"system:serviceaccount:default:robot\" cannot list resource \"nodes\" "
                        "in API group \"\" at the cluster scope") != std::string::npos);
  const auto bad = kubectl({"get", "pods", "--token=wrong"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("Unauthorized") != std::string::npos);
}

}  // namespace
}  // namespace korder::devcluster::testing
