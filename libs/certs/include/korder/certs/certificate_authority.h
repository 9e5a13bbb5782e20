#pragma once

// The certificate authority of korder's self-managed certificates (DESIGN.md §6): a CA made
// once and kept in the Secret `korder-ca`, serving and client certificates issued from it, and
// the checks the rotation logic needs (what a certificate says, whether it chains to a CA).
// Everything is PEM text in and out; OpenSSL stays in certificate_authority.cc.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "korder/base/clock.h"
#include "korder/base/expected.h"

namespace korder::certs {

/// A certificate and its private key, both PEM (the key is PKCS#8 `PRIVATE KEY`).
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;

  bool operator==(const KeyPair&) const = default;
};

/// What a leaf certificate is for (its extendedKeyUsage).
enum class Usage { Server, Client };

/// A leaf certificate to issue.
struct CertificateRequest {
  /// The subject's CN (`korder-webhook.korder-system.svc`, `korder-admission-webhook`).
  std::string common_name;
  /// subjectAltName DNS entries (serving certificates).
  std::vector<std::string> dns_names;
  Usage usage = Usage::Server;
  /// Lifetime from issue time.
  std::chrono::seconds validity = std::chrono::hours(24 * 90);

  bool operator==(const CertificateRequest&) const = default;
};

/// The default lifetime of the CA (about ten years).
inline constexpr std::chrono::seconds kDefaultCaValidity = std::chrono::hours(24 * 3650);
/// Certificates are valid from this long before they are made, so a peer whose clock is a
/// little behind accepts them.
inline constexpr std::chrono::seconds kBackdate = std::chrono::minutes(5);

/// Makes a self-signed CA: a fresh ECDSA P-256 key, CN `common_name`, basicConstraints
/// CA:TRUE (critical), keyUsage keyCertSign + cRLSign (critical), valid from `now - kBackdate`
/// for `validity`, a random 127-bit serial. Errors: OpenSSL failures (one line).
Expected<KeyPair, std::string> create_ca(const std::string& common_name, TimePoint now,
                                         std::chrono::seconds validity = kDefaultCaValidity);

/// Issues a leaf certificate signed by `ca`: a fresh ECDSA P-256 key, CA:FALSE, keyUsage
/// digitalSignature, extendedKeyUsage serverAuth or clientAuth, the DNS SANs, valid from
/// `now - kBackdate` for `request.validity` but never past the CA's own notAfter. Errors: a CA
/// that does not parse or whose key does not match it, OpenSSL failures.
Expected<KeyPair, std::string> issue_certificate(const KeyPair& ca,
                                                 const CertificateRequest& request, TimePoint now);

/// What a certificate says.
struct CertificateInfo {
  std::string common_name;
  std::vector<std::string> dns_names;
  TimePoint not_before;
  TimePoint not_after;
  bool is_ca = false;
  /// SHA-256 of the DER encoding, lower-case hex (tells two certificates apart in logs).
  std::string fingerprint;
};

/// Reads the first certificate of `pem`. Errors: no certificate, unparseable fields.
Expected<CertificateInfo, std::string> inspect_certificate(std::string_view pem);

/// Verifies `cert_pem` against the single trusted `ca_pem` at time `at` with OpenSSL's
/// X509_verify_cert, for `usage` (the TLS server or client purpose) and, when `dns_name` is
/// not empty, that name. Errors say why (`certificate has expired`, `Hostname mismatch`).
Expected<void, std::string> verify_certificate(std::string_view ca_pem, std::string_view cert_pem,
                                               Usage usage, TimePoint at,
                                               const std::string& dns_name = "");

/// Checks that `pair.key_pem` is the private key of `pair.cert_pem`.
Expected<void, std::string> check_key_pair(const KeyPair& pair);

}  // namespace korder::certs
