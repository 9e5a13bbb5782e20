#!/usr/bin/env bash
# `make run`: runs the korder suite locally.
# The libraries and the controllers' planning cores exist; the development cluster and the
# daemons come with their issues, and this script will start them. Until then it builds
# everything and reports what is available, honestly, instead of pretending to run a suite that
# does not exist yet.
set -euo pipefail
build_dir="${1:-build}"
cd "$(dirname "$0")/.."

echo "korder: built in ${build_dir}"
echo
echo "Available now:"
echo "  libs/korder-api   typed objects and value types (tests: ctest --test-dir ${build_dir})"
echo "  libs/kclient      Kubernetes API client, informers, work queue, leader election, runtime"
echo "  services/*        order/ticket planning cores, quota accounting core and gRPC service (libraries and tests; no daemons yet)"
[ -d deploy/crds ] && echo "  deploy/crds       CustomResourceDefinitions: $(ls deploy/crds/*.yaml 2>/dev/null | grep -v kustomization | xargs -n1 basename | tr '\n' ' ')"
for bin in korder-devcluster korder-order-controller korder-ticket-controller korder-quota-controller korder-admission-webhook korderctl; do
  path=$(find "${build_dir}" -type f -name "${bin}" -perm -u+x 2>/dev/null | head -n1)
  if [ -n "${path}" ]; then
    echo "  ${bin}: ${path}"
  else
    echo "  ${bin}: not built yet (see the open issues)"
  fi
done
