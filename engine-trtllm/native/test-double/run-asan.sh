#!/usr/bin/env bash
# Builds the test double and a multi-threaded driver with AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included) and runs the driver: enqueue from 4 threads, await on a 5th, cancel, drain
# with shutdown, destroy with requests still running. Any use-after-free, overflow, leak or undefined
# behaviour fails the run; then the same under ThreadSanitizer. Usage: run-asan.sh [WORK_DIR]   (default: a temporary folder)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work/engine"
flags=(-std=c11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -pthread -I"$here/../include")
gcc "${flags[@]}" "$here/stress_driver.c" "$here/kefu_trtllm_double.c" -o "$work/stress_driver_asan"
echo 50 > "$work/engine/kefu-double-step-us"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$work/stress_driver_asan" "$work/engine"
echo "AddressSanitizer/UBSan run clean"
# the same driver under ThreadSanitizer: data races in the double's locking fail the run
gcc -std=c11 -Wall -Wextra -Werror -O1 -g -fsanitize=thread -pthread -I"$here/../include" \
    "$here/stress_driver.c" "$here/kefu_trtllm_double.c" -o "$work/stress_driver_tsan"
TSAN_OPTIONS=halt_on_error=1 "$work/stress_driver_tsan" "$work/engine"
echo "ThreadSanitizer run clean"
