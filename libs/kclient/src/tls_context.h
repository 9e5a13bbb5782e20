#pragma once

// Private to the transport: OpenSSL client contexts built from a korder TlsConfig.

#include <memory>
#include <string>

#include "korder/base/expected.h"
#include "korder/kclient/config.h"
#include "korder/kclient/detail/asio_ssl.h"

namespace korder::kclient::detail {

/// A client TLS context for `tls`: TLS 1.2 or newer, ALPN `http/1.1`; trusting `tls.ca_pem`
/// (every certificate in it) or else the system's default roots; presenting the client
/// certificate chain and key when set; verifying the peer unless `tls.insecure_skip_verify`.
/// Errors name the material OpenSSL rejected (`tls: certificate authority: …`).
Expected<std::unique_ptr<boost::asio::ssl::context>, ConfigError> make_tls_context(
    const TlsConfig& tls);

/// Prepares one connection's TLS session before the handshake: sends `name` as SNI (unless it
/// is an IP address, which SNI cannot carry) and, when `verify` is set, makes OpenSSL check that
/// the server's certificate matches `name` (a DNS name, or an IP address against IP SANs).
/// Returns false if OpenSSL refuses the name.
bool prepare_tls_session(SSL* ssl, const std::string& name, bool verify);

/// A one-line description of a failed handshake: OpenSSL's certificate verification result
/// when verification failed (`certificate verify failed: hostname mismatch`), else `ec`.
std::string describe_tls_failure(const boost::system::error_code& ec, SSL* ssl);

}  // namespace korder::kclient::detail
