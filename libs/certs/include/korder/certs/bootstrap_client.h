#pragma once

// A short-lived REST client for the work a daemon must finish before its own io_context runs:
// the first certificates have to be on disk before the webhook and gRPC servers start, and the
// process's io_context only runs inside Manager::run().

#include <functional>
#include <string>

#include "korder/base/clock.h"
#include "korder/base/expected.h"
#include "korder/kclient/config.h"

namespace korder::kclient {
class RestClient;
}  // namespace korder::kclient

namespace korder::certs {

class CertificateManager;

/// Runs `work` with a RestClient of its own: a private io_context on one thread, a transport
/// built from `config`, no client-side rate limit. Everything is torn down before it returns.
/// Errors: the transport cannot be created (`cannot create the API transport: ...`), or what
/// `work` returns.
Expected<void, std::string> with_bootstrap_client(
    const kclient::Config& config, Clock& clock,
    const std::function<Expected<void, std::string>(kclient::RestClient&)>& work);

/// One `certificates.sync()` pass through with_bootstrap_client: what a daemon does at start-up
/// so that its first certificates are on disk before its servers read them. Returns when the
/// next pass is due, or with_bootstrap_client's and sync()'s errors.
Expected<TimePoint, std::string> first_sync(CertificateManager& certificates,
                                            const kclient::Config& config, Clock& clock);

}  // namespace korder::certs
