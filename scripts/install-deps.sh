#!/usr/bin/env bash
# Installs korder's build and test dependencies from Debian 12's archive.
# Idempotent: when every package is already present it does nothing (no apt-get update).
# Run as root, or as a user that can sudo.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache make pkg-config
  # Boost.Asio / Boost.Beast are header-only; Boost.System for the error categories
  libboost-dev libboost-system-dev
  libssl-dev openssl
  rapidjson-dev
  libyaml-cpp-dev
  # gRPC + Protobuf (+ grpc_cpp_plugin)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libgoogle-glog-dev libgflags-dev
  # abseil: IANA time zones (absl::time) and thread annotations
  libabsl-dev tzdata
  # tcmalloc (minimal): the admission webhook's allocator (its reviews allocate a lot)
  libgoogle-perftools-dev
  # tests and benchmarks
  catch2 libbenchmark-dev
  # the webhook benchmark: nginx as its baseline (wrk for cross-checks), taskset, jq, curl
  nginx-light wrk util-linux jq curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root; run as root or install sudo" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
