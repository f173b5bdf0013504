package io.kefu.model;

/**
 * An engine's measured fp32 matrix-multiply rate, which benchmarks print beside throughput so that
 * results can be related to the hardware.
 *
 * @param threads the threads the engine multiplied with
 * @param gflops billions of floating-point operations per second ({@code 2 n^3} per n x n product)
 */
public record MatmulRate(int threads, double gflops) {
}
