package io.kefu.cli.retrain;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.GenerationParameters;
import io.kefu.cli.common.DecodingOptions;
import io.kefu.cli.common.EngineOption;
import io.kefu.cli.common.Terminal;
import io.kefu.cli.eval.ComparisonRun;
import io.kefu.cli.eval.EvalSystems;
import io.kefu.cli.eval.GateRun;
import io.kefu.cli.eval.GateSettings;
import io.kefu.cli.eval.SystemSpec;
import io.kefu.cli.train.AdapterTraining;
import io.kefu.data.Dataset;
import io.kefu.eval.gate.GateConfig;
import io.kefu.eval.gate.GateMetric;
import io.kefu.eval.gate.GateReport;
import io.kefu.eval.standard.ComparisonReport;
import io.kefu.eval.standard.EvaluationConfig;
import io.kefu.runtime.config.TrainingConfigFile;
import io.kefu.runtime.data.NewDataFilter;
import io.kefu.runtime.data.ReplayMix;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.StagedFolder;
import io.kefu.runtime.provenance.AdapterProvenance;
import io.kefu.train.PreferenceLoss;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import io.kefu.train.TrainingMethod;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu retrain}: one month of re-training, from last month's adapter to a gated candidate. */
@Command(name = "retrain",
        mixinStandardHelpOptions = true,
        description = {"Re-train last month's adapter on this month's data and decide whether to ship it.",
                "Validates --new-data; leaves out records already trained on; continues training from --previous with a",
                "replayed sample of the earlier data; preference training on records with a rejected answer; then runs the",
                "regression gate of the candidate against --previous on --test (and each --gate-subset).",
                "Writes into --out: candidate/ (the adapter and its provenance), gate/ (the comparison report, gate.json,",
                "one folder per subset), verdict.json ('ship' or 'do not ship' with the reasons) last; run/ keeps the",
                "checkpoints, so running the same command again after an interruption resumes training.",
                "Exit codes: 0 ship, 1 do not ship, 2 bad input (nothing trained), 3 the run failed (no verdict.json)."},
        footer = {"", "Example:",
                "  kefu retrain --previous out/2026-11/candidate --new-data data/2026-12.jsonl \\",
                "      --test examples/shop/test.jsonl --gate-subset new-product=data/2026-12-new-product-test.jsonl \\",
                "      --out out/2026-12"})
public final class RetrainCommand implements Callable<Integer> {
    /** Exit code: the candidate is not worse than the previous adapter beyond noise. */
    public static final int SHIP = 0;
    /** Exit code: the gate refused the candidate. */
    public static final int DO_NOT_SHIP = 1;
    /** Exit code: an option, a data file or the previous adapter is wrong; nothing was trained. */
    public static final int BAD_INPUT = 2;
    /** Exit code: training or evaluation failed; no verdict was written. */
    public static final int FAILURE = 3;

    static final String PREVIOUS_SYSTEM = "previous";
    static final String CANDIDATE_SYSTEM = "candidate";
    private static final Pattern SUBSET_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Spec
    CommandSpec spec;

    @Option(names = "--previous", required = true, paramLabel = "DIR",
            description = "Last month's adapter folder (with its kefu_provenance.json).")
    Path previous;

    @Option(names = "--new-data", required = true, paramLabel = "FILE", description = "This month's dialogs (JSON/JSONL).")
    Path newData;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "This month's folder.")
    Path out;

    @Option(names = "--test", paramLabel = "FILE", description = {"Held-out dialogs the gate compares on (default: the file last",
            "month's gate used, when --previous was made by kefu retrain)."})
    Path test;

    @Option(names = "--gate-subset", paramLabel = "NAME=FILE", description = {"A further held-out set judged on its own, e.g.",
            "new-product=FILE; repeat for several. The candidate ships only when no set finds it worse."})
    List<String> subsetOptions = new ArrayList<>();

    @Option(names = "--old-data", paramLabel = "FILE", description = {"The data earlier adapters were trained on; repeat for several",
            "(default: the training and replay files in --previous's provenance)."})
    List<Path> oldData = new ArrayList<>();

    @Option(names = "--model", paramLabel = "DIR|ID", description = "Base model (default: the one in --previous's provenance).")
    String model;

    @Option(names = "--replay-ratio", defaultValue = "0.2", paramLabel = "R",
            description = "Share of the training set taken from the earlier data, above 0 and below 1 (default: ${DEFAULT-VALUE}).")
    double replayRatio;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: last month's).")
    Integer epochs;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate (default: last month's).")
    Double lr;

    @Option(names = "--no-preference", description = "Skip preference training even when records of --new-data have a rejected answer.")
    boolean noPreference;

    @Option(names = "--pref-beta", defaultValue = "0.1", paramLabel = "B",
            description = "Beta of the preference step's DPO (sigmoid) loss (default: ${DEFAULT-VALUE}).")
    double prefBeta;

    @Option(names = "--pref-ftx", defaultValue = "0.0", paramLabel = "W", description = {"Weight of the chosen answer's SFT loss added to",
            "the preference loss (default: ${DEFAULT-VALUE})."})
    double prefFtx;

    @Option(names = "--pref-epochs", paramLabel = "N", description = "Epochs of the preference step (default: those of the supervised step).")
    Integer prefEpochs;

    @Option(names = "--pref-lr", paramLabel = "LR", description = "Peak learning rate of the preference step (default: a tenth of the supervised step's).")
    Double prefLr;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Requests per batch while evaluating (default: ${DEFAULT-VALUE}).")
    int evalBatchSize;

    @Mixin
    EngineOption engine;

    @Mixin
    DecodingOptions decoding;

    @Mixin
    GateSettings gate;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        try {
            return retrain(console);
        } catch (KefuException e) {
            return fail(e, isBadInput(e.code()) ? BAD_INPUT : FAILURE);
        } catch (RuntimeException e) {
            return fail(e, FAILURE);
        }
    }

    private int retrain(PrintWriter console) {
        if (!(replayRatio > 0 && replayRatio < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--replay-ratio " + replayRatio + " must be above 0 and below 1");
        }
        checkPreferenceOptions();
        GateConfig gateConfig = gate.config();
        Map<String, Path> subsets = subsets();
        PreviousAdapter prior = PreviousAdapter.read(previous, oldData);
        Path testFile = test != null ? test : prior.test().orElseThrow(() -> new KefuException(ErrorCode.INVALID_ARGUMENT,
                "missing --test FILE: the held-out dialogs the candidate is compared on (" + previous
                        + " does not name the file its own gate used)"));
        String baseModel = model != null ? model : prior.baseModel();
        Dataset heldOut = Dataset.load(testFile);
        Map<String, Dataset> subsetData = new LinkedHashMap<>();
        subsets.forEach((name, file) -> subsetData.put(name, Dataset.load(file)));
        Dataset fresh = Dataset.load(newData);
        List<Dataset> earlierFiles = prior.oldData().stream().map(Dataset::load).toList();
        Dataset earlier = Dataset.of(earlierFiles.stream().flatMap(d -> d.examples().stream()).toList());

        NewDataFilter.Result filtered = NewDataFilter.filter(fresh, earlier);
        console.printf("new data: %d records of %s; %d left out as already trained on, %d as repeated within the file; %d to learn%n",
                fresh.size(), newData, filtered.alreadyTrained(), filtered.repeated(), filtered.kept().size());
        if (filtered.kept().size() == 0) {
            throw new KefuException(ErrorCode.INVALID_DATA, newData + ": every record was trained on before; nothing new to learn");
        }
        TrainingConfig config = trainingConfig(prior);
        ReplayMix.Result mix = ReplayMix.mix(filtered.kept(), null, earlier, replayRatio, config.seed());
        console.printf("replay: %d earlier records mixed into %d new (ratio %s)%s%n", mix.replayed(), filtered.kept().size(), replayRatio,
                mix.replayed() < mix.wanted() ? "; the ratio asks for " + mix.wanted() + " but the earlier data has no more" : "");

        clearVerdict();
        Path candidate = out.resolve("candidate");
        AdapterProvenance provenance = provenance(baseModel, config, filtered, mix, prior, earlierFiles, testFile, heldOut, subsetData);
        Dataset pairs = preferencePairs(filtered.kept());
        boolean preferring = pairs.size() > 0 && !noPreference;
        // with a preference step after it, the supervised adapter is an intermediate: the candidate is only the final one
        Path supervised = preferring ? out.resolve("run").resolve("supervised") : candidate;
        AdapterTraining.run(engine.get(), baseModel, config, mix.train(), null, provenance, supervised, console,
                Terminal.isInteractive(spec));
        PreferenceStep preferenceStep = preferring
                ? preferenceTraining(baseModel, config, pairs, provenance, supervised, candidate, console)
                : pairs.size() > 0 ? PreferenceStep.skipped(pairs.size()) : PreferenceStep.none();
        if (!preferring) {
            console.println("preference training: " + preferenceStep.summary());
        }

        Path gateDir = out.resolve("gate");
        Map<String, GateReport> gates = gate(baseModel, candidate, testFile, heldOut, subsets, subsetData, gateConfig, gateDir, console);
        Verdict verdict = Verdict.of(gates, candidate, previous, filtered, mix, preferenceStep);
        verdict.writeTo(out.resolve(Verdict.FILE_NAME));
        console.println();
        console.print(verdict.toText());
        console.println("candidate: " + candidate + "; gate report: " + gateDir + "; verdict: " + out.resolve(Verdict.FILE_NAME));
        console.flush();
        return verdict.ship() ? SHIP : DO_NOT_SHIP;
    }

    /**
     * DPO (sigmoid loss) on the month's records that carry a rejected answer, starting from the supervised
     * adapter, which is also the frozen reference; the result is the candidate. Its provenance is the
     * supervised run's (parent: {@code --previous}) with the preference run recorded beside it.
     *
     * @return what the step did, for the verdict
     */
    private PreferenceStep preferenceTraining(String baseModel, TrainingConfig supervisedConfig, Dataset pairs, AdapterProvenance provenance,
                                              Path supervised, Path candidate, PrintWriter console) {
        TrainingConfig config = supervisedConfig.toBuilder().method(TrainingMethod.DPO).prefLoss(PreferenceLoss.SIGMOID)
                .prefBeta(prefBeta).prefFtx(prefFtx)
                .epochs(prefEpochs != null ? prefEpochs : supervisedConfig.epochs())
                .learningRate(prefLr != null ? prefLr : BigDecimal.valueOf(supervisedConfig.learningRate()).movePointLeft(1).doubleValue())
                .initAdapter(supervised).checkpointDir(out.resolve("run").resolve("preference")).build();
        console.printf("preference training: %d records have a rejected answer; DPO from %s (the reference, frozen)%n",
                pairs.size(), supervised);
        Map<String, Object> keys = new LinkedHashMap<>(TrainingConfigFile.keysOf(config));
        keys.remove("output_dir");
        keys.remove("adapter_name_or_path");
        TrainingEvent.PreferenceMargin margin = AdapterTraining.run(engine.get(), baseModel, config, pairs, null,
                provenance.withPreference(new AdapterProvenance.Preference(pairs.size(), keys)), candidate, console,
                Terminal.isInteractive(spec)).orElseThrow(() -> new KefuException(ErrorCode.INTERNAL,
                        "the engine " + engine.id() + " reported no preference margins"));
        PreferenceStep step = PreferenceStep.trained(pairs.size(), config, margin, supervised);
        console.println("preference training " + step.summary());
        return step;
    }

    /** @return the records with a rejected answer */
    private static Dataset preferencePairs(Dataset kept) {
        return Dataset.of(kept.examples().stream().filter(e -> e.rejected() != null && !e.rejected().isBlank()).toList());
    }

    /** The preference settings are checked before anything is trained. */
    private void checkPreferenceOptions() {
        if (!(prefBeta > 0) || Double.isInfinite(prefBeta)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--pref-beta " + prefBeta + " must be above 0");
        }
        if (!(prefFtx >= 0) || Double.isInfinite(prefFtx)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--pref-ftx " + prefFtx + " must be 0 or more");
        }
        if (prefEpochs != null && prefEpochs < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--pref-epochs " + prefEpochs + " must be at least 1");
        }
        if (prefLr != null && (!(prefLr > 0) || Double.isInfinite(prefLr))) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--pref-lr " + prefLr + " must be above 0");
        }
    }

    /**
     * Both adapters answer each held-out set and the gate judges the candidate on each; the folder is
     * built under a temporary name and renamed into place when complete.
     *
     * @return the gate's report per set: {@code test} first, then each subset
     */
    private Map<String, GateReport> gate(String baseModel, Path candidate, Path testFile, Dataset heldOut, Map<String, Path> subsets,
                                         Map<String, Dataset> subsetData, GateConfig gateConfig, Path gateDir, PrintWriter console) {
        Map<String, GateReport> gates = new LinkedHashMap<>();
        EvaluationConfig evaluation = EvaluationConfig.builder().batchSize(evalBatchSize).seed(decoding.seed())
                .parameters(GenerationParameters.builder().maxNewTokens(decoding.maxNewTokens()).build()).build();
        try (EvalSystems systems = new EvalSystems()) {
            systems.add(new SystemSpec(PREVIOUS_SYSTEM, engine.id(), baseModel, previous));
            systems.add(new SystemSpec(CANDIDATE_SYSTEM, engine.id(), baseModel, candidate));
            StagedFolder.replace(gateDir, dir -> {
                gates.put("test", judge(systems, heldOut, testFile.toString(), evaluation, gateConfig, dir, console));
                subsetData.forEach((name, data) -> gates.put(name,
                        judge(systems, data, name + " (" + subsets.get(name) + ")", evaluation, gateConfig, dir.resolve(name), console)));
            });
        }
        return gates;
    }

    /** Scores both systems on one held-out set into {@code dir} and judges the candidate there. */
    private GateReport judge(EvalSystems systems, Dataset data, String label, EvaluationConfig evaluation, GateConfig gateConfig,
                             Path dir, PrintWriter console) {
        console.println();
        console.println("held-out set: " + label);
        ComparisonReport report = ComparisonRun.run(systems.byName(), data, evaluation, dir, Terminal.isInteractive(spec),
                spec.commandLine().getErr());
        ComparisonRun.printTable(console, report, gateConfig.metrics().stream().map(GateMetric::name).toList());
        return GateRun.judge(report, PREVIOUS_SYSTEM, CANDIDATE_SYSTEM, gateConfig, dir, console);
    }

    /** Last month's settings, continuing its adapter with its LoRA settings, with --epochs and --lr applied over them. */
    private TrainingConfig trainingConfig(PreviousAdapter prior) {
        Map<String, Object> keys = new LinkedHashMap<>(prior.provenance().config());
        keys.remove("output_dir");
        keys.remove("adapter_name_or_path");
        TrainingConfig.Builder builder = TrainingConfigFile.fromKeys(keys, previous.resolve(AdapterProvenance.FILE_NAME))
                .trainingConfig().toBuilder();
        if (epochs != null) builder.epochs(epochs);
        if (lr != null) builder.learningRate(lr);
        return builder.lora(PeftAdapter.load(previous).config()).initAdapter(previous).checkpointDir(out.resolve("run")).build();
    }

    /** The candidate's record: the new data (with the records kept), each earlier file replayed, and the held-out files. */
    private AdapterProvenance provenance(String baseModel, TrainingConfig config, NewDataFilter.Result filtered, ReplayMix.Result mix,
                                         PreviousAdapter prior, List<Dataset> earlierFiles, Path testFile, Dataset heldOut,
                                         Map<String, Dataset> subsetData) {
        List<AdapterProvenance.DataFile> files = new ArrayList<>();
        files.add(AdapterProvenance.DataFile.of("train", newData, filtered.kept().size()));
        for (int i = 0; i < earlierFiles.size(); i++) {
            files.add(AdapterProvenance.DataFile.of("replay", prior.oldData().get(i), earlierFiles.get(i).size()));
        }
        files.add(AdapterProvenance.DataFile.of(PreviousAdapter.TEST_ROLE, testFile, heldOut.size()));
        Map<String, Path> subsets = subsets();
        subsetData.forEach((name, data) -> files.add(AdapterProvenance.DataFile.of("test:" + name, subsets.get(name), data.size())));
        AdapterProvenance.Replay replay = new AdapterProvenance.Replay(replayRatio, config.seed(), filtered.kept().size(),
                mix.replayed(), mix.duplicates());
        return new AdapterProvenance(baseModel, AdapterTraining.parentOf(config), files, Optional.of(replay),
                TrainingConfigFile.keysOf(config));
    }

    private Map<String, Path> subsets() {
        Map<String, Path> subsets = new LinkedHashMap<>();
        for (String option : subsetOptions) {
            int equals = option.indexOf('=');
            String name = equals < 0 ? "" : option.substring(0, equals);
            if (!SUBSET_NAME.matcher(name).matches() || equals == option.length() - 1 || name.equals("test")) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--gate-subset '" + option + "': write NAME=FILE, NAME being 1-64"
                        + " letters, digits, '.', '_' or '-' (not 'test'), e.g. new-product=data/new-product-test.jsonl");
            }
            if (subsets.put(name, Path.of(option.substring(equals + 1))) != null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--gate-subset: two subsets are named '" + name + "'");
            }
        }
        return subsets;
    }

    /** A verdict from an earlier run must never stand beside a new candidate. */
    private void clearVerdict() {
        try {
            Files.createDirectories(out);
            Files.deleteIfExists(out.resolve(Verdict.FILE_NAME));
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, out + ": cannot prepare the folder: " + e.getMessage(), e);
        }
    }

    private int fail(RuntimeException e, int code) {
        spec.commandLine().getErr().println("kefu retrain: " + (e instanceof KefuException ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage()));
        if (Boolean.getBoolean("kefu.debug")) {
            e.printStackTrace(spec.commandLine().getErr());
        }
        spec.commandLine().getErr().flush();
        return code;
    }

    private static boolean isBadInput(ErrorCode code) {
        return switch (code) {
            case INVALID_ARGUMENT, INVALID_DATA, INVALID_CONFIG, INVALID_CHECKPOINT, NOT_FOUND -> true;
            default -> false;
        };
    }
}
