#include "fake_order_api.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "korder/api/json.h"
#include "ticket_naming.h"

namespace korder::order::testing {
namespace {

std::string key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

bool is_write(const std::string& call) {
  return call.rfind("get ", 0) != 0 && call.rfind("list ", 0) != 0;
}

}  // namespace

kclient::ApiError api_error(int code, const std::string& reason, const std::string& message) {
  api::JsonDocument doc;
  api::JsonObjectWriter w(doc.GetAllocator());
  w.field("kind", std::string("Status"))
      .field("apiVersion", std::string("v1"))
      .field("status", std::string("Failure"))
      .field("message", message)
      .field("reason", reason)
      .field("code", static_cast<std::int32_t>(code));
  return kclient::ApiError::from_response(code, api::write_json(w.finish()), "POST");
}

kclient::ApiError quota_denied_error() {
  return api_error(403, "Forbidden",
                   "admission webhook \"tickets.korder.dev\" denied the request: korder quota "
                   "exceeded: quota \"team-quota\": tickets: requested 1, used 1, limit 1");
}

void FakeOrderApi::set_failure(
    std::function<std::optional<kclient::ApiError>(const std::string&, const std::string&)> fail) {
  absl::MutexLock lock(&mu_);
  fail_ = std::move(fail);
}

std::optional<kclient::ApiError> FakeOrderApi::failure(const std::string& operation,
                                                       const std::string& k) {
  calls_.push_back(operation + " " + k);
  return fail_ ? fail_(operation, k) : std::nullopt;
}

std::string FakeOrderApi::next_rv() { return std::to_string(++rv_); }

OrderApi::Result<api::Ticket> FakeOrderApi::create_ticket(const api::Ticket& ticket) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(ticket.metadata.namespace_, ticket.metadata.name);
  if (auto error = failure("create", k)) {
    return Unexpected(*error);
  }
  if (tickets_.count(k) != 0) {
    return Unexpected(
        api_error(409, "AlreadyExists",
                  "tickets.core.korder.dev \"" + ticket.metadata.name + "\" already exists"));
  }
  api::Ticket stored = ticket;
  stored.metadata.uid = "ticket-uid-" + std::to_string(++uid_);
  stored.metadata.resource_version = next_rv();
  stored.metadata.creation_timestamp = clock_.now();
  stored.metadata.generation = 1;
  tickets_[k] = stored;
  return stored;
}

OrderApi::Result<api::Ticket> FakeOrderApi::get_ticket(const std::string& ns,
                                                       const std::string& name) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(ns, name);
  if (auto error = failure("get", k)) {
    return Unexpected(*error);
  }
  const auto it = tickets_.find(k);
  if (it == tickets_.end()) {
    return Unexpected(
        api_error(404, "NotFound", "tickets.core.korder.dev \"" + name + "\" not found"));
  }
  return it->second;
}

OrderApi::Result<std::optional<api::Ticket>> FakeOrderApi::delete_ticket(
    const std::string& ns, const std::string& name, const std::string& uid,
    const std::string& resource_version) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(ns, name);
  if (auto error = failure("delete", k)) {
    return Unexpected(*error);
  }
  const auto it = tickets_.find(k);
  if (it == tickets_.end()) {
    return Unexpected(
        api_error(404, "NotFound", "tickets.core.korder.dev \"" + name + "\" not found"));
  }
  api::Ticket& t = it->second;
  if (t.metadata.uid != uid ||
      (!resource_version.empty() && t.metadata.resource_version != resource_version)) {
    return Unexpected(api_error(409, "Conflict", "Precondition failed for " + name));
  }
  if (t.metadata.finalizers.empty()) {
    tickets_.erase(it);
    return std::optional<api::Ticket>();
  }
  if (!t.metadata.deletion_timestamp) {
    t.metadata.deletion_timestamp = clock_.now();
    t.metadata.resource_version = next_rv();
  }
  return std::optional<api::Ticket>(t);
}

OrderApi::Result<std::vector<api::Ticket>> FakeOrderApi::list_tickets(
    const std::string& ns, const std::string& order_name) {
  absl::MutexLock lock(&mu_);
  if (auto error = failure("list", key(ns, order_name))) {
    return Unexpected(*error);
  }
  std::vector<api::Ticket> out;
  for (const auto& [k, t] : tickets_) {
    const auto label = t.metadata.labels.find(std::string(kLabelOrder));
    if (t.metadata.namespace_ == ns && label != t.metadata.labels.end() &&
        label->second == order_name) {
      out.push_back(t);
    }
  }
  return out;
}

OrderApi::Result<api::Order> FakeOrderApi::update_order_status(const api::Order& order) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(order.metadata.namespace_, order.metadata.name);
  if (auto error = failure("status", k)) {
    return Unexpected(*error);
  }
  const auto it = orders_.find(k);
  if (it == orders_.end()) {
    return Unexpected(api_error(
        404, "NotFound", "orders.core.korder.dev \"" + order.metadata.name + "\" not found"));
  }
  if (it->second.metadata.resource_version != order.metadata.resource_version) {
    return Unexpected(api_error(409, "Conflict", "the object has been modified"));
  }
  it->second.status = order.status;
  it->second.metadata.resource_version = next_rv();
  return it->second;
}

OrderApi::Result<api::Order> FakeOrderApi::set_order_finalizers(
    const std::string& ns, const std::string& name, const std::string& resource_version,
    const std::vector<std::string>& finalizers) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(ns, name);
  if (auto error = failure("finalizers", k)) {
    return Unexpected(*error);
  }
  const auto it = orders_.find(k);
  if (it == orders_.end()) {
    return Unexpected(
        api_error(404, "NotFound", "orders.core.korder.dev \"" + name + "\" not found"));
  }
  if (it->second.metadata.resource_version != resource_version) {
    return Unexpected(api_error(409, "Conflict", "the object has been modified"));
  }
  it->second.metadata.finalizers = finalizers;
  it->second.metadata.resource_version = next_rv();
  api::Order result = it->second;
  if (finalizers.empty() && result.metadata.deletion_timestamp) {
    orders_.erase(it);
  }
  return result;
}

api::Order FakeOrderApi::put_order(api::Order order) {
  absl::MutexLock lock(&mu_);
  order.metadata.resource_version = next_rv();
  if (!order.metadata.creation_timestamp) {
    order.metadata.creation_timestamp = clock_.now();
  }
  orders_[key(order.metadata.namespace_, order.metadata.name)] = order;
  return order;
}

api::Ticket FakeOrderApi::put_ticket(api::Ticket ticket) {
  absl::MutexLock lock(&mu_);
  ticket.metadata.resource_version = next_rv();
  tickets_[key(ticket.metadata.namespace_, ticket.metadata.name)] = ticket;
  return ticket;
}

void FakeOrderApi::erase_ticket(const std::string& ns, const std::string& name) {
  absl::MutexLock lock(&mu_);
  tickets_.erase(key(ns, name));
}

std::optional<api::Order> FakeOrderApi::order(const std::string& ns,
                                              const std::string& name) const {
  absl::MutexLock lock(&mu_);
  const auto it = orders_.find(key(ns, name));
  if (it == orders_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<api::Order> FakeOrderApi::orders() const {
  absl::MutexLock lock(&mu_);
  std::vector<api::Order> out;
  for (const auto& [k, o] : orders_) {
    out.push_back(o);
  }
  return out;
}

std::vector<api::Ticket> FakeOrderApi::tickets() const {
  absl::MutexLock lock(&mu_);
  std::vector<api::Ticket> out;
  for (const auto& [k, t] : tickets_) {
    out.push_back(t);
  }
  return out;
}

std::vector<std::string> FakeOrderApi::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

std::vector<std::string> FakeOrderApi::take_writes() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> writes;
  std::copy_if(calls_.begin(), calls_.end(), std::back_inserter(writes), is_write);
  calls_.clear();
  return writes;
}

}  // namespace korder::order::testing
