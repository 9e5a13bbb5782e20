// korder-devcluster: parse flags, start the cluster, print where it serves, run until SIGINT or
// SIGTERM.
#include <glog/logging.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "options.h"

int main(int argc, char** argv) {
  using korder::devcluster::DevCluster;
  auto command_line = korder::devcluster::parse_command_line(argc, argv);
  if (!command_line) {
    std::cerr << "korder-devcluster: " << command_line.error() << "\n";
    return 2;
  }
  if (command_line->help) {
    std::cout << korder::devcluster::usage();
    return 0;
  }
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  // Signals are caught from before "ready" is printed, so a caller may stop us at once.
  korder::devcluster::net::io_context signals_context;
  korder::devcluster::net::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});

  DevCluster cluster(command_line->options);
  if (auto started = cluster.start(); !started) {
    std::cerr << "korder-devcluster: " << started.error() << "\n";
    return 1;
  }
  const auto& endpoints = cluster.endpoints();
  std::cout << "http-url: " << endpoints.http_url << "\n";
  if (!endpoints.https_url.empty()) {
    std::cout << "https-url: " << endpoints.https_url << "\n";
  }
  if (!endpoints.admin_url.empty()) {
    std::cout << "admin-url: " << endpoints.admin_url << "\n";
  }
  if (!endpoints.ca_file.empty()) {
    std::cout << "ca-file: " << endpoints.ca_file << "\n";
  }
  if (!endpoints.kubeconfig.empty()) {
    std::cout << "kubeconfig: " << endpoints.kubeconfig << "\n";
  }
  std::cout << "ready" << std::endl;
  signals_context.run();
  cluster.stop();
  return 0;
}
