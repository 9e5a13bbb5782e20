#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <utility>

namespace korder::kclient::detail {
namespace {

namespace ssl = boost::asio::ssl;

ConfigError tls_error(const std::string& what, const boost::system::error_code& ec) {
  return ConfigError{"tls: " + what + ": " + ec.message()};
}

bool is_ip_address(const std::string& name) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  return !ec;
}

}  // namespace

Expected<std::unique_ptr<ssl::context>, ConfigError> make_tls_context(const TlsConfig& tls) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Unexpected(ConfigError{"tls: cannot require TLS 1.2"});
  }
  // Offer only HTTP/1.1, so a server that speaks HTTP/2 does not pick it.
  static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(native, kAlpn, sizeof(kAlpn));

  boost::system::error_code ec;
  if (tls.insecure_skip_verify) {
    context->set_verify_mode(ssl::verify_none, ec);
  } else {
    context->set_verify_mode(ssl::verify_peer, ec);
    if (!ec && !tls.ca_pem.empty()) {
      context->add_certificate_authority(boost::asio::buffer(tls.ca_pem), ec);
      if (ec) {
        return Unexpected(tls_error("certificate authority", ec));
      }
    } else if (!ec) {
      context->set_default_verify_paths(ec);
    }
  }
  if (ec) {
    return Unexpected(tls_error("verification setup", ec));
  }
  if (!tls.client_cert_pem.empty() || !tls.client_key_pem.empty()) {
    context->use_certificate_chain(boost::asio::buffer(tls.client_cert_pem), ec);
    if (ec) {
      return Unexpected(tls_error("client certificate", ec));
    }
    context->use_private_key(boost::asio::buffer(tls.client_key_pem), ssl::context::pem, ec);
    if (ec) {
      return Unexpected(tls_error("client key", ec));
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      ERR_clear_error();
      return Unexpected(ConfigError{"tls: client key does not match the client certificate"});
    }
  }
  return context;
}

bool prepare_tls_session(SSL* ssl, const std::string& name, bool verify) {
  const bool ip = is_ip_address(name);
  if (!ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    ERR_clear_error();
    return false;
  }
  if (!verify) {
    return true;
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                    : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  if (ok != 1) {
    ERR_clear_error();
    return false;
  }
  return true;
}

std::string describe_tls_failure(const boost::system::error_code& ec, SSL* ssl) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  return ec.message();
}

}  // namespace korder::kclient::detail
