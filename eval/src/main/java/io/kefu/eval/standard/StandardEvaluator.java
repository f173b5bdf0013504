package io.kefu.eval.standard;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.shop.checks.CheckResult;
import io.kefu.shop.checks.FactsText;
import io.kefu.eval.metrics.TextMetrics;
import io.kefu.eval.standard.ComparisonReport;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.eval.Evaluator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standard evaluator: asks the model every example's prompt in batches ({@link ChatModel#chatBatch}),
 * greedy and seeded by default, streams the answers to the predictions file as they come (and, when
 * the file already holds answers for the same examples, resumes after them), then scores BLEU-4 and
 * ROUGE in every mode and the business checks against the facts in each prompt.
 */
public final class StandardEvaluator implements Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(StandardEvaluator.class);

    private final EvaluationConfig config;

    /** @param config how to run */
    public StandardEvaluator(EvaluationConfig config) {
        this.config = config;
    }

    /** @return an evaluator with {@link EvaluationConfig#defaults()} */
    public static StandardEvaluator withDefaults() {
        return new StandardEvaluator(EvaluationConfig.defaults());
    }

    /** @return the configuration */
    public EvaluationConfig config() {
        return config;
    }

    @Override
    public SystemReport evaluate(ChatModel model, Dataset test) {
        return evaluate(model.info().id(), model, test, i -> { });
    }

    /**
     * @param system the name to report the system under
     * @param model the system
     * @param test held-out examples with reference answers
     * @param progress told the number of answered examples after every batch
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming the example when it has no reference answer
     */
    public SystemReport evaluate(String system, ChatModel model, Dataset test, IntConsumer progress) {
        List<Example> examples = test.examples();
        List<String> keys = new ArrayList<>();
        for (Example e : examples) {
            if (e.answer().isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_DATA, e.provenance().location()
                        + ": the example has no reference answer (the conversation must end with the assistant)");
            }
            keys.add(key(e));
        }
        List<Prediction> predictions = new ArrayList<>();
        PredictionLog log = config.predictionsFile().map(PredictionLog::open).orElse(null);
        try {
            if (log != null) {
                for (Prediction p : log.existing()) {
                    if (p.index() != predictions.size() || p.index() >= examples.size() || !p.key().equals(keys.get(p.index()))) {
                        throw new KefuException(ErrorCode.INVALID_DATA, config.predictionsFile().get() + ": line "
                                + (predictions.size() + 1) + " answers a different example than the test set's example "
                                + (predictions.size() + 1) + "; delete the file to start over");
                    }
                    predictions.add(p);
                }
                if (!predictions.isEmpty()) {
                    LOG.info("resuming {} after {} of {} predictions in {}", system, predictions.size(), examples.size(),
                            config.predictionsFile().get());
                }
            }
            progress.accept(predictions.size());
            for (int start = predictions.size(); start < examples.size(); start += config.batchSize()) {
                int end = Math.min(examples.size(), start + config.batchSize());
                List<ChatRequest> requests = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    requests.add(request(examples.get(i)));
                }
                long t0 = System.nanoTime();
                List<ChatResponse> responses = model.chatBatch(requests);
                double batchMillis = (System.nanoTime() - t0) / 1e6;
                if (responses.size() != requests.size()) {
                    throw new KefuException(ErrorCode.ENGINE_FAILURE, system + " answered " + responses.size()
                            + " of " + requests.size() + " requests in a batch");
                }
                List<Prediction> batch = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    Example e = examples.get(i);
                    ChatResponse r = responses.get(i - start);
                    double latency = r.latency().toNanos() > 0 ? r.latency().toNanos() / 1e6 : batchMillis / requests.size();
                    batch.add(new Prediction(i, keys.get(i), e.provenance().location(), e.intent(), e.strategy(),
                            e.question().orElse(""), e.answer().get(), r.text(), latency, r.usage().completionTokens(),
                            r.finishReason().wireName()));
                }
                if (log != null) {
                    log.append(batch);
                }
                predictions.addAll(batch);
                progress.accept(predictions.size());
            }
        } finally {
            if (log != null) {
                log.close();
            }
        }
        return score(system, examples, predictions);
    }

    /**
     * Runs several systems over the same test set and writes one comparison (JSON, Markdown,
     * HTML, charts) plus each system's predictions into {@code directory}. Each system's
     * predictions are streamed to {@code predictions-<name>.jsonl} there, so an interrupted
     * comparison resumes.
     */
    public ComparisonReport compare(Map<String, ChatModel> systems, Dataset test, Path directory) {
        List<SystemReport> reports = new ArrayList<>();
        for (Map.Entry<String, ChatModel> s : systems.entrySet()) {
            StandardEvaluator each = new StandardEvaluator(config.toBuilder()
                    .predictionsFile(directory.resolve(ComparisonReport.predictionsFileName(s.getKey()))).build());
            reports.add(each.evaluate(s.getKey(), s.getValue(), test, i -> { }));
        }
        ComparisonReport report = ComparisonReport.of(reports);
        report.writeTo(directory);
        return report;
    }

    private SystemReport score(String system, List<Example> examples, List<Prediction> predictions) {
        List<ScoredPrediction> scored = new ArrayList<>();
        for (Prediction p : predictions) {
            Example e = examples.get(p.index());
            FactsText facts = FactsText.fromPrompt(e.prompt()).orElse(null);
            CheckResult checks = config.checks().check(p.text(), facts, e.intent(), e.strategy());
            scored.add(new ScoredPrediction(p, TextMetrics.scorePair(p.text(), p.reference()), checks));
        }
        return new SystemReport(system, scored);
    }

    private ChatRequest request(Example e) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (e.intent() != null) {
            metadata.put("intent", e.intent());
        }
        return ChatRequest.builder().messages(e.prompt()).parameters(config.parameters()).metadata(metadata).build();
    }

    private static String key(Example e) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            e.prompt().forEach(m -> md.update((m.role() + "\u0000" + m.content() + "\u0001").getBytes(StandardCharsets.UTF_8)));
            md.update(e.answer().orElse("").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException ex) {
            throw new KefuException(ErrorCode.INTERNAL, "SHA-256 is missing from this JVM", ex);
        }
    }
}
