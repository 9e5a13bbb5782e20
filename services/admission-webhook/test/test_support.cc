#include "test_support.h"

#include <stdexcept>

namespace korder::webhook::testing {

TicketSnapshot FakeTicketSource::tickets_in(std::string_view ns) const {
  auto out = std::make_shared<std::vector<std::shared_ptr<const IndexedTicket>>>();
  for (const auto& t : tickets) {
    if (t->metadata.namespace_ == ns) {
      out->push_back(std::make_shared<const IndexedTicket>(t));
    }
  }
  return out;
}

TicketSnapshot FakeTicketSource::tickets_of_order(std::string_view ns,
                                                  std::string_view order) const {
  auto out = std::make_shared<std::vector<std::shared_ptr<const IndexedTicket>>>();
  const TicketSnapshot all = tickets_in(ns);  // held: a range-for over *tickets_in(ns) dangles
  for (const auto& t : *all) {
    if (t->order == order) {
      out->push_back(t);
    }
  }
  return out;
}

TicketSource::NodePtr FakeTicketSource::node(std::string_view name) const {
  for (const auto& n : nodes) {
    if (n->metadata.name == name) {
      return n;
    }
  }
  return nullptr;
}

api::Node node(std::string name, std::map<std::string, std::string> labels) {
  api::Node n;
  n.metadata.name = std::move(name);
  n.metadata.labels = std::move(labels);
  n.status.allocatable["cpu"] = *api::Quantity::parse("16");
  n.status.allocatable["memory"] = *api::Quantity::parse("64Gi");
  n.status.allocatable["pods"] = *api::Quantity::parse("110");
  api::NodeCondition ready;
  ready.type = "Ready";
  ready.status = "True";
  n.status.conditions.push_back(ready);
  return n;
}

api::Ticket ticket(std::string name, std::string node_name, std::string cpu, std::string memory,
                   std::optional<TimePoint> expires) {
  api::Ticket t;
  t.metadata.name = std::move(name);
  t.metadata.namespace_ = "default";
  t.metadata.resource_version = "7";
  t.metadata.labels["korder.dev/order"] = "order-a";
  t.spec.duration = "1h";
  t.spec.resources.requests["cpu"] = *api::Quantity::parse(cpu);
  t.spec.resources.requests["memory"] = *api::Quantity::parse(memory);
  t.status.phase = "Ready";
  t.status.node_name = std::move(node_name);
  t.status.expiration_time = expires;
  return t;
}

api::Pod pod_from_json(std::string_view json) {
  auto pod = api::parse_pod(json);
  if (!pod) {
    throw std::runtime_error("bad test pod: " + pod.error().to_string());
  }
  return std::move(pod).value();
}

std::string pod_json(std::string cpu, std::string memory, std::string extra_annotations,
                     std::string name, std::string generate_name) {
  std::string meta =
      name.empty() ? R"("generateName":")" + generate_name + "\"" : R"("name":")" + name + "\"";
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{)" + meta +
         R"(,"annotations":{"korder.dev/required":"true")" + extra_annotations +
         R"(}},"spec":{"containers":[{"name":"app","image":"nginx","resources":{"requests":{"cpu":")" +
         cpu + R"(","memory":")" + memory + R"("}}}]}})";
}

std::string review_json(std::string_view operation, std::string_view kind,
                        std::string_view object_json, std::string_view old_json, bool dry_run,
                        std::string_view ns) {
  std::string body =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)"
      R"("uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"group":"","version":"v1","kind":")" +
      std::string(kind) + R"("},"namespace":")" + std::string(ns) + R"(","operation":")" +
      std::string(operation) + R"(","userInfo":{"username":"admin"},)";
  body += R"("object":)" + std::string(object_json.empty() ? "null" : object_json);
  if (!old_json.empty()) {
    body += R"(,"oldObject":)" + std::string(old_json);
  }
  body += std::string(R"(,"dryRun":)") + (dry_run ? "true" : "false") + "}}";
  return body;
}

std::vector<PatchOp> patch_ops(const std::string& patch) {
  api::JsonDocument doc;
  if (!api::parse_json(patch, doc) || !doc.IsArray()) {
    throw std::runtime_error("not a JSON patch: " + patch);
  }
  std::vector<PatchOp> ops;
  for (const auto& op : doc.GetArray()) {
    ops.push_back(
        PatchOp{op["op"].GetString(), op["path"].GetString(), api::write_json(op["value"])});
  }
  return ops;
}

}  // namespace korder::webhook::testing
