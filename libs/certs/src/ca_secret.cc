#include "korder/certs/ca_secret.h"

#include "korder/api/base64.h"
#include "korder/api/json.h"
#include "korder/kclient/resource_ref.h"
#include "korder/kclient/rest_client.h"

namespace korder::certs {
namespace {

const kclient::ResourceRef& secrets() {
  static const kclient::ResourceRef ref("", "v1", "secrets", true);
  return ref;
}

std::string describe(const CaSecretRef& ref) { return "secret " + ref.namespace_ + "/" + ref.name; }

}  // namespace

std::string ca_secret_json(const CaSecretRef& ref, const KeyPair& ca) {
  api::JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  auto str = [&alloc](std::string_view s) {
    return api::JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  };
  api::JsonValue labels(rapidjson::kObjectType);
  labels.AddMember("app.kubernetes.io/name", "korder", alloc);
  labels.AddMember("app.kubernetes.io/component", "certificates", alloc);
  api::JsonValue metadata(rapidjson::kObjectType);
  metadata.AddMember("name", str(ref.name), alloc);
  metadata.AddMember("namespace", str(ref.namespace_), alloc);
  metadata.AddMember("labels", labels, alloc);
  api::JsonValue data(rapidjson::kObjectType);
  const std::string cert = api::base64_encode(ca.cert_pem);
  data.AddMember("tls.crt", str(cert), alloc);
  data.AddMember("tls.key", str(api::base64_encode(ca.key_pem)), alloc);
  data.AddMember("ca.crt", str(cert), alloc);
  doc.AddMember("apiVersion", "v1", alloc);
  doc.AddMember("kind", "Secret", alloc);
  doc.AddMember("metadata", metadata, alloc);
  doc.AddMember("type", "kubernetes.io/tls", alloc);
  doc.AddMember("data", data, alloc);
  return api::write_json(doc);
}

Expected<KeyPair, std::string> parse_ca_secret(const CaSecretRef& ref, std::string_view json) {
  const std::string where = describe(ref) + ": ";
  api::JsonDocument doc;
  if (auto parsed = api::parse_json(json, doc); !parsed) {
    return Unexpected(where + parsed.error().to_string());
  }
  if (!doc.IsObject() || !doc.HasMember("data") || !doc["data"].IsObject()) {
    return Unexpected(where + "data: missing");
  }
  const api::JsonValue& data = doc["data"];
  auto field = [&](const char* key) -> Expected<std::string, std::string> {
    const std::string path = std::string("data[\"") + key + "\"]: ";
    if (!data.HasMember(key) || !data[key].IsString()) {
      return Unexpected(where + path + "missing");
    }
    auto decoded =
        api::base64_decode(std::string_view(data[key].GetString(), data[key].GetStringLength()));
    if (!decoded) {
      return Unexpected(where + path + decoded.error().to_string());
    }
    return std::move(decoded).value();
  };
  auto cert = field("tls.crt");
  if (!cert) {
    return Unexpected(cert.error());
  }
  auto key = field("tls.key");
  if (!key) {
    return Unexpected(key.error());
  }
  KeyPair ca{std::move(cert).value(), std::move(key).value()};
  auto info = inspect_certificate(ca.cert_pem);
  if (!info) {
    return Unexpected(where + "data[\"tls.crt\"]: " + info.error());
  }
  if (!info->is_ca) {
    return Unexpected(where + "data[\"tls.crt\"]: not a CA certificate (CN \"" + info->common_name +
                      "\")");
  }
  if (auto matches = check_key_pair(ca); !matches) {
    return Unexpected(where + "data[\"tls.key\"]: " + matches.error());
  }
  return ca;
}

Expected<std::string, kclient::ApiError> RestSecretClient::get(const CaSecretRef& ref) {
  return client_.get(secrets(), ref.namespace_, ref.name);
}

Expected<std::string, kclient::ApiError> RestSecretClient::create(const CaSecretRef& ref,
                                                                  std::string body) {
  return client_.create(secrets(), ref.namespace_, std::move(body));
}

Expected<LoadedCa, std::string> ensure_ca(SecretClient& client, const CaSecretRef& ref,
                                          TimePoint now, std::chrono::seconds validity) {
  auto read =
      [&](const Expected<std::string, kclient::ApiError>& got) -> Expected<LoadedCa, std::string> {
    auto ca = parse_ca_secret(ref, *got);
    if (!ca) {
      return Unexpected(ca.error());
    }
    return LoadedCa{std::move(ca).value(), false};
  };
  auto got = client.get(ref);
  if (got) {
    return read(got);
  }
  if (!got.error().is_not_found()) {
    return Unexpected("getting " + describe(ref) + ": " + got.error().to_string());
  }
  auto made = create_ca("korder-ca", now, validity);
  if (!made) {
    return Unexpected(made.error());
  }
  auto created = client.create(ref, ca_secret_json(ref, *made));
  if (created) {
    return LoadedCa{std::move(made).value(), true};
  }
  if (!created.error().is_already_exists()) {
    return Unexpected("creating " + describe(ref) + ": " + created.error().to_string());
  }
  // Another replica or component created it first: use theirs.
  got = client.get(ref);
  if (!got) {
    return Unexpected("getting " + describe(ref) +
                      " after AlreadyExists: " + got.error().to_string());
  }
  return read(got);
}

}  // namespace korder::certs
