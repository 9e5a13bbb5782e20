#pragma once

// A throw-away certificate authority and serving certificate, made at startup with OpenSSL
// (ECDSA P-256, so it takes well under a millisecond).

#include <string>
#include <vector>

#include "korder/base/expected.h"

namespace korder::devcluster {

/// PEM texts of a CA and a serving certificate it signed.
struct CertificateBundle {
  std::string ca_pem;
  std::string cert_pem;  // the serving certificate
  std::string key_pem;   // its private key
};

/// A new CA named `ca_name` and a serving certificate for `dns_names` and `ip_addresses`
/// (subjectAltName), valid from an hour ago for `days` days. Errors name the OpenSSL step.
Expected<CertificateBundle, std::string> make_serving_certificate(
    const std::string& ca_name, const std::vector<std::string>& dns_names,
    const std::vector<std::string>& ip_addresses, int days);

}  // namespace korder::devcluster
