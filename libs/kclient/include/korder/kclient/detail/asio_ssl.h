#pragma once

// Boost.Asio's TLS streams (OpenSSL), on top of korder/kclient/detail/asio.h. Heavy: include it
// only in the transport's .cc files and in tests, never in a public header.

#include <boost/asio/ssl.hpp>

#include "korder/kclient/detail/asio.h"
