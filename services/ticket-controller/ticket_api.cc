#include "ticket_api.h"

#include <optional>
#include <utility>

#include "korder/kclient/rest_client.h"
#include "korder/kclient/typed_resources.h"

namespace korder::ticket {
namespace {

kclient::DeleteOptions delete_with_uid(const std::string& uid) {
  kclient::DeleteOptions options;
  options.preconditions = kclient::Preconditions(uid, std::nullopt);
  return options;
}

kclient::PatchOptions patch_options() {
  kclient::PatchOptions options;
  options.field_manager = std::string(kFieldManager);
  return options;
}

}  // namespace

TicketApi::Result<api::Ticket> RestTicketApi::get_ticket(const std::string& namespace_,
                                                         const std::string& name) {
  return client_.get<api::Ticket>(namespace_, name);
}

TicketApi::Result<api::Ticket> RestTicketApi::patch_ticket(const std::string& namespace_,
                                                           const std::string& name,
                                                           const std::string& json_patch) {
  return client_.patch<api::Ticket>(namespace_, name, kclient::PatchType::Json, json_patch,
                                    patch_options());
}

TicketApi::Result<api::Ticket> RestTicketApi::update_ticket_status(const api::Ticket& ticket) {
  kclient::UpdateOptions options;
  options.field_manager = std::string(kFieldManager);
  return client_.update_status(ticket, options);
}

TicketApi::Result<void> RestTicketApi::delete_ticket(const std::string& namespace_,
                                                     const std::string& name,
                                                     const std::string& uid) {
  return client_.remove<api::Ticket>(namespace_, name, delete_with_uid(uid));
}

TicketApi::Result<api::Pod> RestTicketApi::get_pod(const std::string& namespace_,
                                                   const std::string& name) {
  return client_.get<api::Pod>(namespace_, name);
}

TicketApi::Result<api::Pod> RestTicketApi::create_pod(const api::Pod& pod) {
  kclient::CreateOptions options;
  options.field_manager = std::string(kFieldManager);
  return client_.create(pod, options);
}

TicketApi::Result<void> RestTicketApi::delete_pod(const std::string& namespace_,
                                                  const std::string& name, const std::string& uid,
                                                  std::int64_t grace_period_seconds) {
  kclient::DeleteOptions options = delete_with_uid(uid);
  options.grace_period_seconds = grace_period_seconds;
  return client_.remove<api::Pod>(namespace_, name, options);
}

TicketApi::Result<api::Pod> RestTicketApi::patch_pod(const std::string& namespace_,
                                                     const std::string& name,
                                                     const std::string& json_patch) {
  return client_.patch<api::Pod>(namespace_, name, kclient::PatchType::Json, json_patch,
                                 patch_options());
}

TicketApi::Result<std::vector<api::Pod>> RestTicketApi::list_pods(
    const std::string& namespace_, const std::string& label_selector) {
  kclient::ListOptions options;
  options.label_selector = label_selector;
  auto list = client_.list_all<api::Pod>(namespace_, options);
  if (!list) {
    return Unexpected(std::move(list).error());
  }
  return std::move(list->items);
}

}  // namespace korder::ticket
