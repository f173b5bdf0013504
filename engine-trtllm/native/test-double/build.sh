#!/usr/bin/env bash
# Builds the test double of kefu_trtllm.h, a copy that reports a wrong ABI version, and the program
# that prints the header's struct layout, into the folder given (Maven passes target/native).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUTPUT_DIR}"
cc="${CC:-gcc}"
flags=(-std=c11 -Wall -Wextra -Werror -O1 -pthread -I"$here/../include")
mkdir -p "$out"
"$cc" "${flags[@]}" -shared -fPIC "$here/kefu_trtllm_double.c" -o "$out/libkefu_trtllm_double.so"
"$cc" "${flags[@]}" -shared -fPIC -DKEFU_DOUBLE_ABI=99 "$here/kefu_trtllm_double.c" -o "$out/libkefu_trtllm_double_abi99.so"
"$cc" "${flags[@]}" "$here/abi_layout.c" -o "$out/abi_layout"
# the header must also be valid C++ (the shim includes it)
"${CXX:-g++}" -std=c++17 -Wall -Wextra -Werror -fsyntax-only -x c++ "$here/../include/kefu_trtllm.h"
