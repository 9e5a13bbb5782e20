#include "korder/certs/certificate_authority.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

namespace korder::certs {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

// The last OpenSSL error as text (and the queue cleared), after `what`.
std::string ssl_error(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return what;
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return what + ": " + text;
}

Bio memory_bio(std::string_view pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Expected<Cert, std::string> parse_cert(std::string_view pem, const std::string& what) {
  Bio bio = memory_bio(pem);
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return Unexpected(ssl_error(what + ": no PEM certificate"));
  }
  return cert;
}

Expected<Key, std::string> parse_key(std::string_view pem, const std::string& what) {
  Bio bio = memory_bio(pem);
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return Unexpected(ssl_error(what + ": no PEM private key"));
  }
  return key;
}

template <typename Write>
Expected<std::string, std::string> to_pem(Write write) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) {
    return Unexpected(ssl_error("PEM encoding failed"));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Expected<KeyPair, std::string> encode(X509* cert, EVP_PKEY* key) {
  auto cert_pem = to_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
  auto key_pem = to_pem([key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!cert_pem) {
    return Unexpected(cert_pem.error());
  }
  if (!key_pem) {
    return Unexpected(key_pem.error());
  }
  return KeyPair{std::move(cert_pem).value(), std::move(key_pem).value()};
}

Expected<Key, std::string> new_key() {
  Key key(EVP_EC_gen("P-256"));
  if (key == nullptr) {
    return Unexpected(ssl_error("generating an ECDSA P-256 key"));
  }
  return key;
}

Expected<void, std::string> add_extension(X509* cert, X509* issuer, int nid,
                                          const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Unexpected(ssl_error(std::string("X.509 extension ") + OBJ_nid2sn(nid) + "=" + value));
  }
  return {};
}

Expected<void, std::string> set_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return Unexpected(ssl_error("random serial number"));
  }
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x01;  // never zero, never shorter than 16 bytes' worth of room
  std::unique_ptr<BIGNUM, Free> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (bn == nullptr || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return Unexpected(ssl_error("serial number"));
  }
  return {};
}

std::time_t to_time_t(TimePoint t) { return std::chrono::system_clock::to_time_t(t); }

TimePoint from_asn1(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) {
    return TimePoint{};
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

struct Spec {
  std::string common_name;
  bool is_ca = false;
  std::string extended_usage;
  std::string alt_names;
  TimePoint not_before;
  TimePoint not_after;
};

// A certificate for `key` signed by `issuer`/`issuer_key` (self-signed when issuer is null).
Expected<Cert, std::string> make_cert(const Spec& spec, EVP_PKEY* key, X509* issuer,
                                      EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1) {
    return Unexpected(ssl_error("X509_new"));
  }
  if (auto serial = set_serial(cert.get()); !serial) {
    return Unexpected(serial.error());
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), to_time_t(spec.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), to_time_t(spec.not_after)) == nullptr) {
    return Unexpected(ssl_error("validity"));
  }
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                 -1, -1, 0) != 1) {
    return Unexpected(ssl_error("subject CN \"" + spec.common_name + "\""));
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage, spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"},
      {NID_subject_key_identifier, "hash"},
  };
  if (issuer != nullptr) {
    extensions.emplace_back(NID_authority_key_identifier, "keyid:always");
  }
  if (!spec.extended_usage.empty()) {
    extensions.emplace_back(NID_ext_key_usage, spec.extended_usage);
  }
  if (!spec.alt_names.empty()) {
    extensions.emplace_back(NID_subject_alt_name, spec.alt_names);
  }
  for (const auto& [nid, value] : extensions) {
    if (auto added = add_extension(cert.get(), signer, nid, value); !added) {
      return Unexpected(added.error());
    }
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return Unexpected(ssl_error("signing the certificate"));
  }
  return cert;
}

bool valid_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*';
  });
}

}  // namespace

Expected<KeyPair, std::string> create_ca(const std::string& common_name, TimePoint now,
                                         std::chrono::seconds validity) {
  auto key = new_key();
  if (!key) {
    return Unexpected(key.error());
  }
  Spec spec{common_name, true, "", "", now - kBackdate, now + validity};
  auto cert = make_cert(spec, key->get(), nullptr, nullptr);
  if (!cert) {
    return Unexpected("creating the CA: " + cert.error());
  }
  return encode(cert->get(), key->get());
}

Expected<KeyPair, std::string> issue_certificate(const KeyPair& ca,
                                                 const CertificateRequest& request, TimePoint now) {
  if (auto matches = check_key_pair(ca); !matches) {
    return Unexpected("the CA: " + matches.error());
  }
  auto ca_cert = parse_cert(ca.cert_pem, "the CA certificate");
  auto ca_key = parse_key(ca.key_pem, "the CA key");
  if (!ca_cert || !ca_key) {
    return Unexpected(!ca_cert ? ca_cert.error() : ca_key.error());
  }
  std::string alt_names;
  for (const std::string& dns : request.dns_names) {
    if (!valid_dns_name(dns)) {
      return Unexpected("invalid DNS name \"" + dns + "\" for a certificate");
    }
    alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
  }
  const TimePoint ca_not_after = from_asn1(X509_get0_notAfter(ca_cert->get()));
  const TimePoint not_after = std::min(now + request.validity, ca_not_after);
  Spec spec{request.common_name,
            false,
            request.usage == Usage::Server ? "serverAuth" : "clientAuth",
            alt_names,
            now - kBackdate,
            not_after};
  auto key = new_key();
  if (!key) {
    return Unexpected(key.error());
  }
  auto cert = make_cert(spec, key->get(), ca_cert->get(), ca_key->get());
  if (!cert) {
    return Unexpected("issuing \"" + request.common_name + "\": " + cert.error());
  }
  return encode(cert->get(), key->get());
}

Expected<CertificateInfo, std::string> inspect_certificate(std::string_view pem) {
  auto cert = parse_cert(pem, "certificate");
  if (!cert) {
    return Unexpected(cert.error());
  }
  CertificateInfo info;
  X509_NAME* subject = X509_get_subject_name(cert->get());
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    info.common_name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                            static_cast<std::size_t>(ASN1_STRING_length(data)));
  }
  std::unique_ptr<GENERAL_NAMES, Free> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      if (name->type == GEN_DNS) {
        const ASN1_STRING* dns = name->d.dNSName;
        info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                    static_cast<std::size_t>(ASN1_STRING_length(dns)));
      }
    }
  }
  info.not_before = from_asn1(X509_get0_notBefore(cert->get()));
  info.not_after = from_asn1(X509_get0_notAfter(cert->get()));
  info.is_ca = X509_check_ca(cert->get()) == 1;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert->get(), EVP_sha256(), digest, &size) != 1) {
    return Unexpected(ssl_error("certificate digest"));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < size; ++i) {
    info.fingerprint += kHex[digest[i] >> 4];
    info.fingerprint += kHex[digest[i] & 0xf];
  }
  return info;
}

Expected<void, std::string> verify_certificate(std::string_view ca_pem, std::string_view cert_pem,
                                               Usage usage, TimePoint at,
                                               const std::string& dns_name) {
  auto ca = parse_cert(ca_pem, "the CA certificate");
  auto cert = parse_cert(cert_pem, "the certificate");
  if (!ca || !cert) {
    return Unexpected(!ca ? ca.error() : cert.error());
  }
  std::unique_ptr<X509_STORE, Free> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, Free> ctx(X509_STORE_CTX_new());
  if (store == nullptr || ctx == nullptr || X509_STORE_add_cert(store.get(), ca->get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1) {
    return Unexpected(ssl_error("setting up verification"));
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, to_time_t(at));
  X509_VERIFY_PARAM_set_purpose(
      param, usage == Usage::Server ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT);
  if (!dns_name.empty() && X509_VERIFY_PARAM_set1_host(param, dns_name.c_str(), 0) != 1) {
    return Unexpected(ssl_error("host name \"" + dns_name + "\""));
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return Unexpected(std::string(X509_verify_cert_error_string(error)));
  }
  return {};
}

Expected<void, std::string> check_key_pair(const KeyPair& pair) {
  auto cert = parse_cert(pair.cert_pem, "certificate");
  if (!cert) {
    return Unexpected(cert.error());
  }
  auto key = parse_key(pair.key_pem, "key");
  if (!key) {
    return Unexpected(key.error());
  }
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return Unexpected(std::string("the key does not match the certificate"));
  }
  return {};
}

}  // namespace korder::certs
