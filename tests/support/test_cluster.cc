#include "test_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace korder::testing {
namespace {

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

/// Decodes a chunked body.
std::string dechunk(const std::string& raw) {
  std::string body;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) {
      break;
    }
    const std::size_t size = std::stoul(raw.substr(pos, eol - pos), nullptr, 16);
    if (size == 0) {
      break;
    }
    body.append(raw, eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  return body;
}

std::string line_value(const std::string& output, const std::string& key) {
  std::istringstream lines(output);
  std::string line;
  const std::string prefix = key + ": ";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) {
      return line.substr(prefix.size());
    }
  }
  return "";
}

bool kubectl_on_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path == nullptr ? "" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/kubectl").c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::uint16_t port_of(const std::string& url) {
  const auto colon = url.rfind(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument("no port in URL \"" + url + "\"");
  }
  return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
}

HttpAnswer http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& content_type) {
  return http_request(port, method, target, body, content_type, {});
}

HttpAnswer http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& content_type,
                        const std::map<std::string, std::string>& headers) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::runtime_error("socket failed");
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
      "\r\nAccept: application/json\r\n" + "Connection: close\r\nContent-Type: " + content_type +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) {
    request += name + ": " + value + "\r\n";
  }
  request += "\r\n" + body;
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = write(fd, request.data() + sent, request.size() - sent);
    if (n <= 0) {
      close(fd);
      throw std::runtime_error("write to 127.0.0.1:" + std::to_string(port) + " failed");
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) {
      break;
    }
    raw.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.size() < 12) {
    throw std::runtime_error("no HTTP response from 127.0.0.1:" + std::to_string(port));
  }
  HttpAnswer answer;
  answer.status = std::stoi(raw.substr(9, 3));
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);  // status line
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    answer.headers[lower(line.substr(0, colon))] = value;
  }
  answer.body = raw.substr(head_end + 4);
  if (lower(answer.headers["transfer-encoding"]) == "chunked") {
    answer.body = dechunk(answer.body);
  }
  return answer;
}

TestCluster::TestCluster(std::vector<std::string> extra_args)
    : TestCluster(Authorization::AlwaysAllow, std::move(extra_args)) {}

TestCluster::TestCluster(Authorization authorization, std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {KORDER_DEVCLUSTER_BINARY,
                                   "--port",
                                   "0",
                                   "--https-port",
                                   "0",
                                   "--admin-port",
                                   "0",
                                   "--kubeconfig-out",
                                   dir_.path() + "/kubeconfig"};
  if (authorization == Authorization::Rbac) {
    audit_log_ = dir_.path() + "/audit.log";
    argv.insert(argv.end(), {"--authorization-mode", "RBAC", "--audit-log-path", audit_log_});
    api_token_ = kAdminToken;
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, std::map<std::string, std::string>{},
                                       dir_.path() + "/devcluster.log");
  if (!process_->wait_for_output("\nready", std::chrono::seconds(20))) {
    const std::string output = process_->output();
    process_->kill();
    throw std::runtime_error("korder-devcluster did not become ready:\n" + output);
  }
  const std::string output = process_->output();
  http_url_ = line_value(output, "http-url");
  https_url_ = line_value(output, "https-url");
  admin_url_ = line_value(output, "admin-url");
  kubeconfig_ = line_value(output, "kubeconfig");
  ca_file_ = line_value(output, "ca-file");
  if (http_url_.empty() || kubeconfig_.empty() || admin_url_.empty()) {
    throw std::runtime_error("korder-devcluster printed no URLs:\n" + output);
  }
}

TestCluster::~TestCluster() { process_->terminate(std::chrono::seconds(5)); }

const std::string& TestCluster::plain_kubeconfig() {
  if (plain_kubeconfig_.empty()) {
    const std::string path = dir() + "/kubeconfig-plain";
    write_file(path,
               "apiVersion: v1\nkind: Config\nclusters:\n- name: dev\n  cluster:\n    server: " +
                   http_url_ +
                   "\nusers:\n- name: dev\n  user:\n    token: dev\ncontexts:\n- name: dev\n"
                   "  context:\n    cluster: dev\n    user: dev\ncurrent-context: dev\n");
    plain_kubeconfig_ = path;
  }
  return plain_kubeconfig_;
}

HttpAnswer TestCluster::api(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& content_type) {
  if (api_token_.empty()) {
    return http_request(port(), method, target, body, content_type);
  }
  return api_as(api_token_, method, target, body, content_type);
}

HttpAnswer TestCluster::api_as(const std::string& token, const std::string& method,
                               const std::string& target, const std::string& body,
                               const std::string& content_type) {
  return http_request(port(), method, target, body, content_type,
                      {{"Authorization", "Bearer " + token}});
}

HttpAnswer TestCluster::admin_get(const std::string& path) {
  return http_request(port_of(admin_url_), "GET", path);
}

std::string TestCluster::audit_log() {
  const HttpAnswer answer = admin_get("/admin/audit");
  if (answer.status != 200) {
    throw std::runtime_error("GET /admin/audit answered " + std::to_string(answer.status) + ": " +
                             answer.body);
  }
  return answer.body;
}

std::string TestCluster::create_token(const std::string& namespace_,
                                      const std::string& service_account) {
  const auto result = kubectl({"create", "token", service_account, "-n", namespace_});
  std::string token = result.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  if (result.exit_code != 0 || token.empty()) {
    throw std::runtime_error("kubectl create token " + service_account + " -n " + namespace_ +
                             " failed:\n" + result.out + result.err);
  }
  return token;
}

std::string TestCluster::write_token_kubeconfig(const std::string& name, const std::string& token) {
  const std::string path = dir() + "/kubeconfig-" + name;
  write_file(path,
             "apiVersion: v1\nkind: Config\nclusters:\n- name: korder-dev\n  cluster:\n"
             "    server: " +
                 https_url_ + "\n    certificate-authority: " + ca_file_ + "\nusers:\n- name: " +
                 name + "\n  user:\n    token: " + token + "\ncontexts:\n- name: " + name +
                 "\n  context:\n    cluster: korder-dev\n"
                 "    user: " +
                 name + "\n    namespace: default\ncurrent-context: " + name + "\n");
  return path;
}

std::string TestCluster::service_account_kubeconfig(const std::string& namespace_,
                                                    const std::string& service_account) {
  return write_token_kubeconfig(namespace_ + "-" + service_account,
                                create_token(namespace_, service_account));
}

HttpAnswer TestCluster::admin(const std::string& path, const std::string& body) {
  return http_request(port_of(admin_url_), "POST", path, body);
}

CommandResult TestCluster::kubectl(const std::vector<std::string>& args, const std::string& input,
                                   std::chrono::milliseconds timeout) {
  if (!kubectl_on_path()) {
    throw std::runtime_error("kubectl is not on PATH: these tests need the real kubectl");
  }
  const std::string home = dir() + "/home";
  std::filesystem::create_directories(home);
  std::vector<std::string> argv = {"kubectl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(
      argv, {{"HOME", home}, {"KUBECONFIG", kubeconfig_}, {"KUBECACHEDIR", home + "/.kube/cache"}},
      timeout, input);
}

void TestCluster::install_crds() {
  const auto result = kubectl({"apply", "-k", source_dir() + "/deploy/crds"});
  if (result.exit_code != 0) {
    throw std::runtime_error("kubectl apply -k deploy/crds failed:\n" + result.out + result.err);
  }
}

}  // namespace korder::testing
