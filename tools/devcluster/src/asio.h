#pragma once

// The one way devcluster code includes Asio's coroutine support. Boost 1.74 with g++ 12 in
// C++20 needs <utility> before <boost/asio/awaitable.hpp> (toolchain.md), so it comes first.

#include <utility>

// g++ 12 reports every coroutine body that co_awaits in Asio 1.18 with -Wmismatched-new-delete
// (a false positive: the frame's sized operator delete matches its operator new). It is
// reported at the end of our coroutine functions, so it is turned off for every file that
// includes Asio; devcluster code uses no raw new/delete.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace korder::devcluster {

namespace net = boost::asio;

/// A coroutine on the devcluster's io_context.
template <typename T>
using Awaitable = net::awaitable<T>;

}  // namespace korder::devcluster
