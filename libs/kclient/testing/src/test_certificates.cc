#include "korder/kclient/testing/test_certificates.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "korder/base/check.h"

namespace korder::kclient::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key new_key() {
  Key key(EVP_EC_gen("P-256"));
  KORDER_CHECK(key != nullptr, "EC key generation failed");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  KORDER_CHECK(ext != nullptr, "bad X.509 extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  std::string common_name;
  bool is_ca = false;
  std::string extended_usage;  // serverAuth / clientAuth
  std::string alt_names;       // DNS:a,IP:1.2.3.4
};

// Makes a certificate for `key`, signed by `issuer`/`issuer_key` (itself when null).
Cert make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_extension(cert.get(), signer, NID_basic_constraints,
                spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(cert.get(), signer, NID_key_usage,
                spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) {
    add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  }
  if (!spec.extended_usage.empty()) {
    add_extension(cert.get(), signer, NID_ext_key_usage, spec.extended_usage);
  }
  if (!spec.alt_names.empty()) {
    add_extension(cert.get(), signer, NID_subject_alt_name, spec.alt_names);
  }
  KORDER_CHECK(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0,
               "signing a test certificate failed");
  return cert;
}

template <typename Write>
std::string to_pem(Write write) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  KORDER_CHECK(write(bio.get()) == 1, "PEM encoding failed");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string cert_pem(X509* cert) {
  return to_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
}

std::string key_pem(EVP_PKEY* key) {
  return to_pem([key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

}  // namespace

TestCertificates make_test_certificates(const std::vector<std::string>& dns_names,
                                        const std::vector<std::string>& ip_addresses) {
  std::string alt_names;
  for (const std::string& dns : dns_names) {
    alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
  }
  for (const std::string& ip : ip_addresses) {
    alt_names += (alt_names.empty() ? "IP:" : ",IP:") + ip;
  }
  Key ca_key = new_key();
  Cert ca = make_cert({"korder-test-ca", true, "", ""}, ca_key.get(), nullptr, nullptr);
  Key server_key = new_key();
  Cert server = make_cert({"korder-test-server", false, "serverAuth", alt_names}, server_key.get(),
                          ca.get(), ca_key.get());
  Key client_key = new_key();
  Cert client = make_cert({"korder-test-client", false, "clientAuth", ""}, client_key.get(),
                          ca.get(), ca_key.get());
  Key other_key = new_key();
  Cert other = make_cert({"korder-other-ca", true, "", ""}, other_key.get(), nullptr, nullptr);
  return TestCertificates{cert_pem(ca.get()),        cert_pem(server.get()),
                          key_pem(server_key.get()), cert_pem(client.get()),
                          key_pem(client_key.get()), cert_pem(other.get())};
}

}  // namespace korder::kclient::testing
