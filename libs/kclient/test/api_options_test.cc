#include "korder/kclient/api_options.h"

#include <catch2/catch.hpp>

namespace korder::kclient {
namespace {

// The expected strings are kubectl's requests captured in shared/reference/kube-protocol.md.

TEST_CASE("list options encode like kubectl's informer list", "[unit][kclient]") {
  ListOptions options;
  options.field_selector = "metadata.name=my-order";
  options.limit = 500;
  options.resource_version = "0";
  CHECK(to_query(options) == "?fieldSelector=metadata.name%3Dmy-order&limit=500&resourceVersion=0");
  CHECK(to_query(ListOptions()).empty());
  ListOptions page;
  page.label_selector = "korder.dev/order=a";
  page.limit = 2;
  page.continue_token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==";
  page.resource_version_match = "NotOlderThan";
  page.timeout_seconds = 30;
  CHECK(to_query(page) ==
        "?continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ%3D%3D&labelSelector=korder.dev%2Forder%3Da"
        "&limit=2&resourceVersionMatch=NotOlderThan&timeoutSeconds=30");
}

TEST_CASE("watch options encode like client-go's reflector watch", "[unit][kclient]") {
  WatchOptions options;
  options.field_selector = "metadata.name=my-order";
  options.resource_version = "1014";
  options.timeout_seconds = 555;
  CHECK(to_query(options) ==
        "?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dmy-order&resourceVersion=1014"
        "&timeoutSeconds=555&watch=true");
  WatchOptions plain;
  plain.allow_bookmarks = false;
  CHECK(to_query(plain) == "?watch=true");
}

TEST_CASE("write and patch options encode fieldManager, fieldValidation, dryRun and force",
          "[unit][kclient]") {
  WriteOptions replace;
  replace.field_manager = "kubectl-replace";
  replace.field_validation = "Strict";
  CHECK(to_query(replace) == "?fieldManager=kubectl-replace&fieldValidation=Strict");
  WriteOptions dry_run;
  dry_run.dry_run = true;
  CHECK(to_query(dry_run) == "?dryRun=All");
  CHECK(to_query(WriteOptions()).empty());
  PatchOptions apply;
  apply.field_manager = "kubectl";
  apply.force = false;
  CHECK(to_query(apply) == "?fieldManager=kubectl&force=false");
  apply.force = true;
  apply.subresource = "status";  // a path element, not a query parameter
  CHECK(to_query(apply) == "?fieldManager=kubectl&force=true");
}

TEST_CASE("patch types have their Kubernetes content types", "[unit][kclient]") {
  CHECK(content_type(PatchType::Merge) == "application/merge-patch+json");
  CHECK(content_type(PatchType::Json) == "application/json-patch+json");
  CHECK(content_type(PatchType::Apply) == "application/apply-patch+yaml");
  CHECK(content_type(PatchType::StrategicMerge) == "application/strategic-merge-patch+json");
}

TEST_CASE("delete options become the JSON body kubectl sends", "[unit][kclient]") {
  DeleteOptions background;
  background.propagation_policy = PropagationPolicy::Background;
  CHECK(to_json(background) == R"({"propagationPolicy":"Background"})");
  CHECK(to_json(DeleteOptions()).empty());
  DeleteOptions full;
  full.preconditions = Preconditions("5f1c", "1042");
  full.propagation_policy = PropagationPolicy::Foreground;
  full.grace_period_seconds = 0;
  full.dry_run = true;
  CHECK(to_json(full) ==
        R"({"gracePeriodSeconds":0,"preconditions":{"uid":"5f1c","resourceVersion":"1042"},)"
        R"("propagationPolicy":"Foreground","dryRun":["All"]})");
  DeleteOptions uid_only;
  uid_only.preconditions = Preconditions("5f1c", std::nullopt);
  uid_only.propagation_policy = PropagationPolicy::Orphan;
  CHECK(to_json(uid_only) == R"({"preconditions":{"uid":"5f1c"},"propagationPolicy":"Orphan"})");
}

}  // namespace
}  // namespace korder::kclient
