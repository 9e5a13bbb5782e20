#pragma once

#include <string>
#include <vector>

namespace korder::kclient::testing {

/// PEM material for TLS tests, made fresh in memory (ECDSA P-256, SHA-256, valid from an hour ago
/// for a day): a CA, a server certificate it signed for the given names, a client certificate it
/// signed (CN `korder-test-client`, clientAuth), and an unrelated second CA.
struct TestCertificates {
  std::string ca_pem;
  std::string server_cert_pem;
  std::string server_key_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string other_ca_pem;
};

/// Generates the set above. `dns_names` and `ip_addresses` become the server certificate's
/// subjectAltNames. OpenSSL failures stop the test process (a broken machine, not a result).
TestCertificates make_test_certificates(const std::vector<std::string>& dns_names = {"localhost"},
                                        const std::vector<std::string>& ip_addresses = {
                                            "127.0.0.1"});

}  // namespace korder::kclient::testing
