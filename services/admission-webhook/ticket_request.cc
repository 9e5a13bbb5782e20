#include "ticket_request.h"

#include <utility>

namespace korder::webhook {
namespace {

std::string bad_request(std::string_view value, std::string_view why) {
  return "annotation " + std::string(kTicketRequestAnnotation) + ": " + std::string(why) + " \"" +
         std::string(value) + "\"";
}

}  // namespace

bool TicketRequest::matches(std::string_view name,
                            const std::map<std::string, std::string>& labels) const {
  // Built once: the keys are longer than the small-string buffer.
  static const std::string kOrderKey(kOrderLabel);
  static const std::string kGroupKey(kGroupLabel);
  if (!order.empty()) {
    const auto it = labels.find(kOrderKey);
    if (it == labels.end() || it->second != order) {
      return false;
    }
  }
  switch (form) {
    case Form::Any:
      return true;
    case Form::Name:
      return name == value;
    case Form::Selector:
      return selector.matches(labels);
    case Form::Group: {
      const auto it = labels.find(kGroupKey);
      return it != labels.end() && it->second == value;
    }
  }
  return false;
}

bool pod_requires_ticket(const std::map<std::string, std::string>& annotations) {
  const auto it = annotations.find(std::string(kRequiredAnnotation));
  return it != annotations.end() && it->second == "true";
}

Expected<TicketRequest, std::string> parse_ticket_request(
    const std::map<std::string, std::string>& annotations) {
  TicketRequest request;
  if (const auto it = annotations.find(std::string(kOrderAnnotation)); it != annotations.end()) {
    request.order = it->second;
    if (request.order.empty()) {
      return Unexpected(std::string("annotation ") + std::string(kOrderAnnotation) +
                        ": must name an order, got \"\"");
    }
  }
  const auto it = annotations.find(std::string(kTicketRequestAnnotation));
  if (it == annotations.end()) {
    return request;
  }
  const std::string_view text = it->second;
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Unexpected(
        bad_request(text, "want name:<ticket>, selector:<k=v,...> or group:<group>, got"));
  }
  const std::string_view form = text.substr(0, colon);
  const std::string_view value = text.substr(colon + 1);
  if (form == "name") {
    request.form = TicketRequest::Form::Name;
  } else if (form == "group") {
    request.form = TicketRequest::Form::Group;
  } else if (form == "selector") {
    request.form = TicketRequest::Form::Selector;
    auto selector = api::parse_selector(value);
    if (!selector) {
      return Unexpected(
          bad_request(text, "invalid selector (" + selector.error().message + ") in"));
    }
    request.selector = std::move(selector).value();
  } else {
    return Unexpected(bad_request(text, "unknown form (want name:, selector: or group:) in"));
  }
  if (value.empty()) {
    return Unexpected(bad_request(text, "empty value in"));
  }
  request.value = std::string(value);
  return request;
}

}  // namespace korder::webhook
