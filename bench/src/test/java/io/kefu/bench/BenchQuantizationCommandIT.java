package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code kefu bench quantization} on the demo base and a few test dialogs: a row per mode (one with the head and the
 * token embedding quantized too), fp32 agreeing with itself.
 */
class BenchQuantizationCommandIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void printsAgreementAndPerplexityPerMode() {
        Bench.Result r = Bench.run("quantization", "--model", ROOT.resolve("examples/models/demo-base").toString(),
                "--data", ROOT.resolve("examples/shop/test.jsonl").toString(), "--limit", "6", "--modes", "int8:32,int4:32,int4:32:head:embedding");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("6 dialogs of .*test.jsonl, [0-9]+ answer tokens scored");
        double fp32 = perplexity(r.out(), "fp32", "100.00");
        double int8 = perplexity(r.out(), "int8:32", "[0-9.]+");
        double int4 = perplexity(r.out(), "int4:32", "[0-9.]+");
        double int4Everywhere = perplexity(r.out(), "int4:32:head:embedding", "[0-9.]+");
        // quantization moves the perplexity a little, not by orders of magnitude
        assertThat(int8).isCloseTo(fp32, org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(int4).isCloseTo(fp32, org.assertj.core.data.Percentage.withPercentage(50));
        assertThat(int4Everywhere).isCloseTo(fp32, org.assertj.core.data.Percentage.withPercentage(50));
    }

    private static double perplexity(String out, String mode, String agreement) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(mode) + "\\s+[0-9.]+\\s+(" + agreement + ")%\\s+([0-9.]+)$").matcher(out);
        assertThat(m.find()).as("row %s in\n%s", mode, out).isTrue();
        return Double.parseDouble(m.group(2));
    }
}
