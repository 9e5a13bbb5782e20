#include "reconciler/fake_ticket_api.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "support/json_patch_apply.h"
#include "ticket_names.h"

namespace korder::ticket::testing {
namespace {

std::string key(const std::string& namespace_, const std::string& name) {
  return namespace_ + "/" + name;
}

kclient::ApiError error(int code, const std::string& method = "") {
  return kclient::ApiError::from_response(code, "", method);
}

template <typename T, typename Parse>
Expected<T, kclient::ApiError> patched(const T& object, const std::string& patch, Parse parse) {
  auto applied = apply_json_patch(api::to_json(object), patch);
  if (!applied) {
    return Unexpected(error(422));
  }
  auto decoded = parse(*applied);
  if (!decoded) {
    return Unexpected(error(422));
  }
  return *std::move(decoded);
}

}  // namespace

void FakeTicketApi::put_ticket(api::Ticket ticket) {
  absl::MutexLock lock(&mu_);
  ticket.metadata.resource_version = next_rv();
  tickets_[key(ticket.metadata.namespace_, ticket.metadata.name)] = std::move(ticket);
}

void FakeTicketApi::put_pod(api::Pod pod) {
  absl::MutexLock lock(&mu_);
  pod.metadata.resource_version = next_rv();
  pods_[key(pod.metadata.namespace_, pod.metadata.name)] = std::move(pod);
}

void FakeTicketApi::remove_pod(const std::string& namespace_, const std::string& name) {
  absl::MutexLock lock(&mu_);
  pods_.erase(key(namespace_, name));
}

std::optional<api::Ticket> FakeTicketApi::ticket(const std::string& namespace_,
                                                 const std::string& name) const {
  absl::MutexLock lock(&mu_);
  const auto it = tickets_.find(key(namespace_, name));
  return it == tickets_.end() ? std::nullopt : std::optional<api::Ticket>(it->second);
}

std::optional<api::Pod> FakeTicketApi::pod(const std::string& namespace_,
                                           const std::string& name) const {
  absl::MutexLock lock(&mu_);
  const auto it = pods_.find(key(namespace_, name));
  return it == pods_.end() ? std::nullopt : std::optional<api::Pod>(it->second);
}

std::vector<api::Pod> FakeTicketApi::pods() const {
  absl::MutexLock lock(&mu_);
  std::vector<api::Pod> out;
  for (const auto& [k, pod] : pods_) {
    out.push_back(pod);
  }
  return out;
}

void FakeTicketApi::sync(kclient::Store<api::Ticket>& tickets,
                         kclient::Store<api::Pod>& pods) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<const api::Ticket>> ticket_list;
  for (const auto& [k, ticket] : tickets_) {
    ticket_list.push_back(std::make_shared<const api::Ticket>(ticket));
  }
  tickets.replace(ticket_list, std::to_string(rv_));
  std::vector<std::shared_ptr<const api::Pod>> pod_list;
  for (const auto& [k, pod] : pods_) {
    // The pod informer's label selector (kPodInformerSelector): pods labelled korder.dev/ticket.
    if (pod.metadata.labels.count(std::string(kLabelTicket)) != 0) {
      pod_list.push_back(std::make_shared<const api::Pod>(pod));
    }
  }
  pods.replace(pod_list, std::to_string(rv_));
}

std::vector<std::string> FakeTicketApi::take_calls() {
  absl::MutexLock lock(&mu_);
  return std::exchange(calls_, {});
}

std::vector<std::string> FakeTicketApi::take_writes() {
  std::vector<std::string> writes;
  for (std::string& call : take_calls()) {
    if (!call.starts_with("get_ticket") && !call.starts_with("get_pod") &&
        !call.starts_with("list_pods")) {
      writes.push_back(std::move(call));
    }
  }
  return writes;
}

std::vector<std::string> FakeTicketApi::pod_patches() const {
  absl::MutexLock lock(&mu_);
  return pod_patches_;
}

void FakeTicketApi::fail_next(const std::string& operation, kclient::ApiError error) {
  absl::MutexLock lock(&mu_);
  failures_.emplace(operation, std::move(error));
}

std::optional<kclient::ApiError> FakeTicketApi::take_failure(const std::string& operation) {
  const auto it = failures_.find(operation);
  if (it == failures_.end()) {
    return std::nullopt;
  }
  kclient::ApiError failure = it->second;
  failures_.erase(it);
  return failure;
}

std::string FakeTicketApi::next_rv() { return std::to_string(++rv_); }

// A ticket with a deletionTimestamp and no finalizers is gone.
void FakeTicketApi::settle_ticket(const std::string& k) {
  const auto it = tickets_.find(k);
  if (it != tickets_.end() && it->second.metadata.deletion_timestamp &&
      it->second.metadata.finalizers.empty()) {
    tickets_.erase(it);
  }
}

TicketApi::Result<api::Ticket> FakeTicketApi::get_ticket(const std::string& namespace_,
                                                         const std::string& name) {
  absl::MutexLock lock(&mu_);
  calls_.push_back("get_ticket " + key(namespace_, name));
  if (auto failure = take_failure("get_ticket")) {
    return Unexpected(*failure);
  }
  const auto it = tickets_.find(key(namespace_, name));
  if (it == tickets_.end()) {
    return Unexpected(error(404));
  }
  return it->second;
}

TicketApi::Result<api::Pod> FakeTicketApi::get_pod(const std::string& namespace_,
                                                   const std::string& name) {
  absl::MutexLock lock(&mu_);
  calls_.push_back("get_pod " + key(namespace_, name));
  if (auto failure = take_failure("get_pod")) {
    return Unexpected(*failure);
  }
  const auto it = pods_.find(key(namespace_, name));
  if (it == pods_.end()) {
    return Unexpected(error(404));
  }
  return it->second;
}

TicketApi::Result<api::Ticket> FakeTicketApi::patch_ticket(const std::string& namespace_,
                                                           const std::string& name,
                                                           const std::string& json_patch) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(namespace_, name);
  calls_.push_back("patch_ticket " + k);
  if (auto failure = take_failure("patch_ticket")) {
    return Unexpected(*failure);
  }
  const auto it = tickets_.find(k);
  if (it == tickets_.end()) {
    return Unexpected(error(404));
  }
  auto result = patched(it->second, json_patch, api::parse_ticket);
  if (!result) {
    return result;
  }
  result->metadata.resource_version = next_rv();
  it->second = *result;
  settle_ticket(k);
  return result;
}

TicketApi::Result<api::Ticket> FakeTicketApi::update_ticket_status(const api::Ticket& ticket) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(ticket.metadata.namespace_, ticket.metadata.name);
  calls_.push_back("update_status " + k);
  if (auto failure = take_failure("update_status")) {
    return Unexpected(*failure);
  }
  const auto it = tickets_.find(k);
  if (it == tickets_.end()) {
    return Unexpected(error(404));
  }
  if (it->second.metadata.resource_version != ticket.metadata.resource_version) {
    return Unexpected(error(409));
  }
  it->second.status = ticket.status;
  it->second.metadata.resource_version = next_rv();
  return it->second;
}

TicketApi::Result<void> FakeTicketApi::delete_ticket(const std::string& namespace_,
                                                     const std::string& name,
                                                     const std::string& uid) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(namespace_, name);
  calls_.push_back("delete_ticket " + k + " uid=" + uid);
  if (auto failure = take_failure("delete_ticket")) {
    return Unexpected(*failure);
  }
  const auto it = tickets_.find(k);
  if (it == tickets_.end()) {
    return Unexpected(error(404));
  }
  if (it->second.metadata.uid != uid) {
    return Unexpected(error(409));
  }
  if (!it->second.metadata.deletion_timestamp) {
    it->second.metadata.deletion_timestamp = clock_.now();
    it->second.metadata.resource_version = next_rv();
  }
  settle_ticket(k);
  return {};
}

TicketApi::Result<api::Pod> FakeTicketApi::create_pod(const api::Pod& pod) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(pod.metadata.namespace_, pod.metadata.name);
  calls_.push_back("create_pod " + k);
  if (auto failure = take_failure("create_pod")) {
    return Unexpected(*failure);
  }
  if (pods_.count(k) != 0) {
    return Unexpected(error(409, "POST"));
  }
  api::Pod created = pod;
  created.metadata.uid = "pod-uid-" + std::to_string(++uids_);
  created.metadata.resource_version = next_rv();
  created.metadata.creation_timestamp = clock_.now();
  created.status.phase = "Pending";
  pods_[k] = created;
  return created;
}

TicketApi::Result<void> FakeTicketApi::delete_pod(const std::string& namespace_,
                                                  const std::string& name, const std::string& uid,
                                                  std::int64_t grace_period_seconds) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(namespace_, name);
  calls_.push_back("delete_pod " + k + " uid=" + uid +
                   " grace=" + std::to_string(grace_period_seconds));
  if (auto failure = take_failure("delete_pod")) {
    return Unexpected(*failure);
  }
  const auto it = pods_.find(k);
  if (it == pods_.end()) {
    return Unexpected(error(404));
  }
  if (it->second.metadata.uid != uid) {
    return Unexpected(error(409));
  }
  pods_.erase(it);
  return {};
}

TicketApi::Result<api::Pod> FakeTicketApi::patch_pod(const std::string& namespace_,
                                                     const std::string& name,
                                                     const std::string& json_patch) {
  absl::MutexLock lock(&mu_);
  const std::string k = key(namespace_, name);
  calls_.push_back("patch_pod " + k);
  pod_patches_.push_back(json_patch);
  if (auto failure = take_failure("patch_pod")) {
    return Unexpected(*failure);
  }
  const auto it = pods_.find(k);
  if (it == pods_.end()) {
    return Unexpected(error(404));
  }
  auto result = patched(it->second, json_patch, api::parse_pod);
  if (!result) {
    return result;
  }
  result->metadata.resource_version = next_rv();
  it->second = *result;
  return result;
}

TicketApi::Result<std::vector<api::Pod>> FakeTicketApi::list_pods(
    const std::string& namespace_, const std::string& label_selector) {
  absl::MutexLock lock(&mu_);
  calls_.push_back("list_pods " + namespace_ + " " + label_selector);
  if (auto failure = take_failure("list_pods")) {
    return Unexpected(*failure);
  }
  // The controller only lists by one `key=value` label.
  const auto eq = label_selector.find('=');
  const std::string label = label_selector.substr(0, eq);
  const std::string value = eq == std::string::npos ? "" : label_selector.substr(eq + 1);
  std::vector<api::Pod> out;
  for (const auto& [k, pod] : pods_) {
    const auto it = pod.metadata.labels.find(label);
    if (pod.metadata.namespace_ == namespace_ && it != pod.metadata.labels.end() &&
        it->second == value) {
      out.push_back(pod);
    }
  }
  return out;
}

}  // namespace korder::ticket::testing
