#pragma once

// When a self-managed certificate is (re)issued: a pure decision on what is on disk, the CA and
// the time, so rotation is tested with plain values and a fake clock.

#include <optional>
#include <string>

#include "korder/base/clock.h"
#include "korder/certs/certificate_authority.h"

namespace korder::certs {

/// A certificate is renewed once this fraction of its lifetime (notBefore → notAfter) has
/// passed: 2/3, as kubelet and cert-manager do, so a 90-day certificate is replaced after 60
/// days and a failure to renew leaves a month to notice.
inline constexpr int kRenewNumerator = 2;
inline constexpr int kRenewDenominator = 3;

/// notBefore + 2/3 of the lifetime.
TimePoint renewal_time(const CertificateInfo& info);

/// What to do with one leaf certificate.
struct LeafDecision {
  /// Issue a new certificate (and why: `missing`, `due for renewal`, `not signed by the current
  /// CA`, ...), or keep the current one.
  bool issue = false;
  std::string reason;
  /// When the kept certificate falls due (meaningful when `issue` is false).
  TimePoint renew_at;
};

/// Decides whether `current` (the pair on disk; nullopt when missing) still serves `request`
/// under `ca_pem` at `now`: it must parse, its key must match, it must verify against the CA
/// for its usage (a CA that changed makes every leaf stale), carry the requested CN and DNS
/// names, and not be due for renewal.
LeafDecision decide_leaf(const std::string& ca_pem, const std::optional<KeyPair>& current,
                         const CertificateRequest& request, TimePoint now);

}  // namespace korder::certs
