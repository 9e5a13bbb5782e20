#pragma once

// The shared CA in the Secret `korder-ca` (DESIGN.md §6, §8): whoever starts first creates it,
// and AlreadyExists means another replica or component won the race, so its CA is read and used.
//
// The Secret is `type: kubernetes.io/tls` with `tls.crt` (the CA certificate), `tls.key` (its
// key) and `ca.crt` (the CA certificate again), the layout cert-manager's CA Issuer reads, so a
// cluster that adopts cert-manager later can point an Issuer at it. korder never updates or
// deletes it: deleting it makes the next start (or the next periodic check) create a new CA, and
// every component then re-issues its certificates from that one.

#include <chrono>
#include <string>
#include <string_view>

#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/certs/certificate_authority.h"
#include "korder/kclient/api_error.h"

namespace korder::kclient {
class RestClient;
}  // namespace korder::kclient

namespace korder::certs {

/// Where the CA lives.
struct CaSecretRef {
  std::string namespace_ = "korder-system";
  std::string name = "korder-ca";
};

/// The Secret object (JSON) that stores `ca`.
std::string ca_secret_json(const CaSecretRef& ref, const KeyPair& ca);

/// The CA in a Secret's JSON. Errors name the Secret and the key (`secret korder-system/korder-ca:
/// data["tls.key"]: missing`), and reject a certificate that is not a CA or a key that does not
/// match it.
Expected<KeyPair, std::string> parse_ca_secret(const CaSecretRef& ref, std::string_view json);

/// The two Secret calls the CA needs (an interface so the race logic is unit-tested).
class SecretClient {
 public:
  virtual ~SecretClient() = default;
  /// GET of the Secret: its JSON.
  virtual Expected<std::string, kclient::ApiError> get(const CaSecretRef& ref) = 0;
  /// POST of `body` into the Secret's namespace: the created object's JSON.
  virtual Expected<std::string, kclient::ApiError> create(const CaSecretRef& ref,
                                                          std::string body) = 0;
};

/// SecretClient over the REST client's blocking calls (worker threads only).
class RestSecretClient final : public SecretClient {
 public:
  explicit RestSecretClient(kclient::RestClient& client) : client_(client) {}
  Expected<std::string, kclient::ApiError> get(const CaSecretRef& ref) override;
  Expected<std::string, kclient::ApiError> create(const CaSecretRef& ref,
                                                  std::string body) override;

 private:
  kclient::RestClient& client_;
};

/// The CA, and whether this call created the Secret.
struct LoadedCa {
  KeyPair ca;
  bool created = false;
};

/// GET the Secret; on NotFound make a CA (valid `validity` from `now`) and create it; on
/// AlreadyExists (someone else won the race) GET again and use theirs. Errors carry context
/// (`getting secret korder-system/korder-ca: ...`), including a Secret that holds no valid CA.
Expected<LoadedCa, std::string> ensure_ca(SecretClient& client, const CaSecretRef& ref,
                                          TimePoint now,
                                          std::chrono::seconds validity = kDefaultCaValidity);

}  // namespace korder::certs
