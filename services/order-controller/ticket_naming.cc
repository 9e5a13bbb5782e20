#include "ticket_naming.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "korder/api/json.h"
#include "korder/api/time.h"
#include "korder/base/check.h"

namespace korder::order {
namespace {

// Sorts the members of every object below `value` by name (bytewise), in place. Arrays keep
// their order: it is meaningful (tolerations, node selector terms).
void sort_members(api::JsonValue& value, api::JsonAllocator& alloc) {
  if (value.IsArray()) {
    for (auto& element : value.GetArray()) {
      sort_members(element, alloc);
    }
    return;
  }
  if (!value.IsObject()) {
    return;
  }
  std::vector<rapidjson::SizeType> order;
  order.reserve(value.MemberCount());
  for (rapidjson::SizeType i = 0; i < value.MemberCount(); ++i) {
    sort_members((value.MemberBegin() + i)->value, alloc);
    order.push_back(i);
  }
  const auto name_of = [&](rapidjson::SizeType i) {
    const auto& name = (value.MemberBegin() + i)->name;
    return std::string_view(name.GetString(), name.GetStringLength());
  };
  std::sort(order.begin(), order.end(),
            [&](rapidjson::SizeType a, rapidjson::SizeType b) { return name_of(a) < name_of(b); });
  api::JsonValue sorted(rapidjson::kObjectType);
  for (const rapidjson::SizeType i : order) {
    auto& member = *(value.MemberBegin() + i);
    sorted.AddMember(member.name, member.value, alloc);  // moves both
  }
  value = sorted;  // RapidJSON assignment moves
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  const int ok =
      EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  // EVP_Digest with SHA-256 fails only when OpenSSL cannot allocate a context: not something
  // to carry on from, since every name would be wrong.
  KORDER_CHECK(ok == 1 && length == 32, "SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

std::string ticket_hash_input(const TicketIdentity& identity) {
  std::string input = identity.order_uid;
  input += '\n';
  input += identity.slot;
  input += '\n';
  input += std::to_string(identity.incarnation);
  if (identity.fire.has_value()) {
    input += '\n';
    input += api::format_rfc3339(*identity.fire);
  }
  return input;
}

std::string ticket_name(std::string_view order_name, const TicketIdentity& identity) {
  std::string name(order_name);
  name += '-';
  name += sha256_hex(ticket_hash_input(identity)).substr(0, kTicketHashLength);
  return name;
}

std::string guardian_name(std::string_view ticket_name) {
  return std::string(ticket_name) + "-guardian";
}

std::string replica_slot(std::int64_t index) {
  KORDER_CHECK(index >= 0, "a replica index is never negative");
  return "r" + std::to_string(index);
}

std::optional<std::int64_t> replica_index(std::string_view slot) {
  if (slot.size() < 2 || slot[0] != 'r') {
    return std::nullopt;
  }
  const std::string_view digits = slot.substr(1);
  if (digits.size() > 1 && digits[0] == '0') {
    return std::nullopt;
  }
  std::int64_t index = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (ec != std::errc() || end != digits.data() + digits.size() || index < 0) {
    return std::nullopt;
  }
  return index;
}

std::string node_slot(std::string_view node_name) {
  return "n-" + sha256_hex(node_name).substr(0, kNodeSlotHashLength);
}

bool is_node_slot(std::string_view slot) {
  if (slot.size() != 2 + kNodeSlotHashLength || slot.substr(0, 2) != "n-") {
    return false;
  }
  return std::all_of(slot.begin() + 2, slot.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string canonical_template_json(const api::TicketTemplate& tmpl) {
  api::JsonDocument doc;
  api::JsonValue value = api::to_json_value(tmpl, doc.GetAllocator());
  sort_members(value, doc.GetAllocator());
  return api::write_json(value);
}

std::string template_hash(const api::TicketTemplate& tmpl) {
  return sha256_hex(canonical_template_json(tmpl)).substr(0, kTemplateHashLength);
}

}  // namespace korder::order
