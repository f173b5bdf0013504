package io.kefu.eval;

import java.nio.file.Path;
import java.util.Map;

/** The scores of one evaluated system. */
public interface EvaluationReport {
    /** @return the name of the system evaluated */
    String system();

    /** @return overall metrics by name, e.g. {@code bleu4}, {@code rouge_l}, {@code fact_accuracy} */
    Map<String, Double> metrics();

    /** @return the same metrics per intent (intent -> metric -> value) */
    Map<String, Map<String, Double>> byIntent();

    /** Writes the report (JSON, Markdown, HTML, PNG charts) and predictions into the directory. */
    void writeTo(Path directory);
}
