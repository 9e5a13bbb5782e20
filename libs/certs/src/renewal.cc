#include "korder/certs/renewal.h"

#include <algorithm>

namespace korder::certs {

TimePoint renewal_time(const CertificateInfo& info) {
  const auto lifetime = info.not_after - info.not_before;
  return info.not_before + lifetime / kRenewDenominator * kRenewNumerator;
}

LeafDecision decide_leaf(const std::string& ca_pem, const std::optional<KeyPair>& current,
                         const CertificateRequest& request, TimePoint now) {
  auto issue = [](std::string reason) { return LeafDecision{true, std::move(reason), {}}; };
  if (!current) {
    return issue("missing");
  }
  auto info = inspect_certificate(current->cert_pem);
  if (!info) {
    return issue("unreadable: " + info.error());
  }
  if (auto matches = check_key_pair(*current); !matches) {
    return issue(matches.error());
  }
  // Verified at notBefore, so an expired certificate is reported as due rather than failing
  // here; the time check below decides renewal.
  if (auto verified =
          verify_certificate(ca_pem, current->cert_pem, request.usage, info->not_before);
      !verified) {
    return issue("not signed by the current CA (" + verified.error() + ")");
  }
  auto wanted = request.dns_names;
  auto have = info->dns_names;
  std::sort(wanted.begin(), wanted.end());
  std::sort(have.begin(), have.end());
  if (info->common_name != request.common_name || wanted != have) {
    return issue("names changed");
  }
  const TimePoint renew_at = renewal_time(*info);
  if (now >= renew_at) {
    return issue("due for renewal");
  }
  return LeafDecision{false, "", renew_at};
}

}  // namespace korder::certs
