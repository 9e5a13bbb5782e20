#pragma once

// The one way korder includes Boost.Asio. Boost 1.74's coroutine headers use std::exchange
// without including <utility>, which g++ 12 in C++20 mode no longer pulls in transitively, so
// <utility> must come first (docs/reference/toolchain.md). Include this header before any Boost
// header (Beast's included) in every file that uses Asio; never include <boost/asio/...> directly.
//
// Only the core pieces are here (io_context, strands, timers, TCP, coroutines, futures). TLS
// lives in korder/kclient/detail/asio_ssl.h, which is only for src/ and tests.

#include <utility>

// g++ 12 reports every coroutine body that co_awaits in Asio 1.18 with -Wmismatched-new-delete:
// the frame comes from awaitable_frame_base::operator new(size_t) and goes back through its
// matching sized operator delete, which the warning misreads (a false positive of the new
// coroutine lowering). It is reported at the end of *our* coroutine functions, so it cannot be
// confined to Boost's headers; korder code uses no raw new/delete (STYLE §6), so nothing real is
// hidden by turning it off for every file that includes Asio.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// A second g++ 12 coroutine bug to know (checked here with AddressSanitizer): a temporary that
// is an aggregate built with initialisers (`Opts{x}`, `Opts(x)`, a default argument `= {}` of an
// aggregate type) or a lambda with captures, created inside a co_await expression, is destroyed
// twice. Build such values into a named local before the co_await, or give the type a
// constructor (kclient's option structs have one for this reason).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
