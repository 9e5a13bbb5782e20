#pragma once

#include <string_view>

namespace korder::api {

/// The API group and version of korder's own kinds (Order, Ticket, Quota).
inline constexpr std::string_view kKorderGroup = "core.korder.dev";
inline constexpr std::string_view kKorderVersion = "v1alpha1";
/// The `apiVersion` of korder objects: `core.korder.dev/v1alpha1`.
inline constexpr std::string_view kKorderApiVersion = "core.korder.dev/v1alpha1";

}  // namespace korder::api
