#include "order_api.h"

#include <utility>

#include "korder/api/json.h"
#include "korder/api/meta.h"
#include "korder/kclient/rest_client.h"
#include "korder/kclient/typed_resources.h"
#include "ticket_naming.h"

namespace korder::order {

std::string finalizers_patch(const std::string& resource_version,
                             const std::vector<std::string>& finalizers) {
  api::JsonDocument doc;
  auto& alloc = doc.GetAllocator();
  api::JsonObjectWriter metadata(alloc);
  metadata.field_always("finalizers", finalizers).field_always("resourceVersion", resource_version);
  api::JsonObjectWriter root(alloc);
  root.value("metadata", metadata.finish());
  return api::write_json(root.finish());
}

OrderApi::Result<api::Ticket> RestOrderApi::create_ticket(const api::Ticket& ticket) {
  kclient::CreateOptions options;
  options.field_manager = std::string(kFieldManager);
  return client_.create(ticket, options);
}

OrderApi::Result<api::Ticket> RestOrderApi::get_ticket(const std::string& namespace_,
                                                       const std::string& name) {
  return client_.get<api::Ticket>(namespace_, name);
}

OrderApi::Result<std::optional<api::Ticket>> RestOrderApi::delete_ticket(
    const std::string& namespace_, const std::string& name, const std::string& uid,
    const std::string& resource_version) {
  kclient::DeleteOptions options;
  std::optional<std::string> rv;
  if (!resource_version.empty()) {
    rv = resource_version;
  }
  options.preconditions = kclient::Preconditions(uid, rv);
  auto answer = client_.remove(kclient::resources::tickets(), namespace_, name, options);
  if (!answer) {
    return Unexpected(std::move(answer).error());
  }
  // While finalizers run the server answers with the object; once it is gone, with a Status.
  auto type = api::parse_type_meta(*answer);
  if (!type || type->kind != api::kTicketKind) {
    return std::optional<api::Ticket>();
  }
  auto ticket = api::parse_ticket(*answer);
  if (!ticket) {
    return std::optional<api::Ticket>();  // deleted all the same; the cache will tell the rest
  }
  return std::optional<api::Ticket>(std::move(ticket).value());
}

OrderApi::Result<std::vector<api::Ticket>> RestOrderApi::list_tickets(
    const std::string& namespace_, const std::string& order_name) {
  kclient::ListOptions options;
  options.label_selector = std::string(kLabelOrder) + "=" + order_name;
  auto list = client_.list_all<api::Ticket>(namespace_, options);
  if (!list) {
    return Unexpected(std::move(list).error());
  }
  return std::move(list->items);
}

OrderApi::Result<api::Order> RestOrderApi::update_order_status(const api::Order& order) {
  kclient::UpdateOptions options;
  options.field_manager = std::string(kFieldManager);
  return client_.update_status(order, options);
}

OrderApi::Result<api::Order> RestOrderApi::set_order_finalizers(
    const std::string& namespace_, const std::string& name, const std::string& resource_version,
    const std::vector<std::string>& finalizers) {
  kclient::PatchOptions options;
  options.field_manager = std::string(kFieldManager);
  return client_.patch<api::Order>(namespace_, name, kclient::PatchType::Merge,
                                   finalizers_patch(resource_version, finalizers), options);
}

}  // namespace korder::order
