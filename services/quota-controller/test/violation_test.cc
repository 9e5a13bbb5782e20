#include "violation.h"

#include <catch2/catch.hpp>

namespace korder::quota {
namespace {

TEST_CASE("violations format as DESIGN's denial message, joined with semicolons", "[unit]") {
  const Violation cpu{"team-quota", "reserved.cpu", "500m", "19800m", "20", LimitScope::Quota, ""};
  CHECK(format_denial_message({cpu}) ==
        "korder quota exceeded: quota \"team-quota\": reserved.cpu: requested 500m, used 19800m, "
        "limit 20");
  const Violation tickets{"team-quota", "tickets", "1", "5", "5", LimitScope::Allocation, "team-a"};
  const Violation memory{"other", "reserved.memory",       "1Gi", "3Gi",
                         "4Gi",   LimitScope::Unallocated, ""};
  const Violation duration{"team-quota", "max-duration", "48h", "", "24h", LimitScope::Quota, ""};
  CHECK(format_denial_message({cpu, tickets, memory, duration}) ==
        "korder quota exceeded: "
        "quota \"team-quota\": reserved.cpu: requested 500m, used 19800m, limit 20; "
        "quota \"team-quota\" (allocation of namespace \"team-a\"): tickets: requested 1, used 5, "
        "limit 5; "
        "quota \"other\" (unallocated remainder): reserved.memory: requested 1Gi, used 3Gi, limit "
        "4Gi; "
        "quota \"team-quota\": max-duration: requested 48h, limit 24h");
  CHECK(format_denial_message({}).empty());
}

TEST_CASE("a denial message contains the marker the order controller looks for", "[unit]") {
  const std::string wrapped =
      "admission webhook \"tickets.korder.dev\" denied the request: " +
      format_denial_message({{"q", "tickets", "1", "1", "1", LimitScope::Quota, ""}});
  CHECK(wrapped.find(kQuotaExceededPrefix) != std::string::npos);
}

}  // namespace
}  // namespace korder::quota
