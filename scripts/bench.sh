#!/usr/bin/env bash
# `make bench`: runs every benchmark binary that exists in the build directory.
set -euo pipefail
build_dir="${1:-build}"
found=0
while IFS= read -r bench; do
  found=1
  echo "== ${bench}"
  "${bench}" --benchmark_min_time=0.5
done < <(find "${build_dir}" -type f -name '*_bench' -perm -u+x | sort)
[ "${found}" -eq 1 ] || echo "no benchmarks built in ${build_dir}"
