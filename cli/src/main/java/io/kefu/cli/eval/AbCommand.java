package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.ab.AbReport;
import io.kefu.eval.ab.ArmAssigner;
import io.kefu.eval.ab.ExperimentReport;
import io.kefu.eval.ab.SampleSize;
import io.kefu.runtime.format.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu ab ...}: analyse an online A/B test of conversion, and size one before it starts. */
@Command(name = "ab",
        mixinStandardHelpOptions = true,
        description = "Analyse an A/B test on conversion, or compute how many sessions one needs.",
        subcommands = {AbCommand.Report.class, AbCommand.Power.class})
public final class AbCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code kefu ab report}. */
    @Command(name = "report",
            mixinStandardHelpOptions = true,
            description = {"Per-arm conversion, absolute and relative lift, two-proportion z-test p-value and confidence interval.",
                    "--store: an experiment of 'kefu serve --arm' read from its store: the recorded split, per-arm sessions, conversions",
                    "and rate, each arm against the control, guardrails per arm (hand-off rate, compliance blocks, latency p95),",
                    "and with --p2 the sessions per arm the planned effect needs and how many each arm still lacks.",
                    "--events: a CSV with a header: session,event[,arm]; event is exposure|view|chat|session or conversion|order|purchase.",
                    "Rows without an arm are assigned by hashing the session id with --experiment and --split."},
            footer = {"", "Examples:", "  kefu ab report --store jdbc:postgresql://127.0.0.1:5432/kefu?user=kefu --experiment launch-2026-12",
                    "  kefu ab report --store jdbc:h2:file:/srv/kefu/shop --p1 0.125 --p2 0.135 --json",
                    "  kefu ab report --events events.csv",
                    "  kefu ab report --events events.csv --split rules=50,tuned=50 --experiment shop-2026-11 --json"})
    static final class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--store", paramLabel = "JDBC_URL", description = "The store 'kefu serve' wrote: jdbc:h2:... or jdbc:postgresql://...")
            String store;

            @Option(names = "--events", paramLabel = "FILE", description = "Events CSV.")
            Path events;
        }

        @Option(names = "--split", paramLabel = "ARM=W,...", description = "With --events: arms and weights for rows without an arm; the first arm is the control.")
        String split;

        @Option(names = "--experiment", paramLabel = "NAME", description = {"With --store: the experiment (default: the only one recorded).",
                "With --events: the hash salt for the assignment (default: default)."})
        String experiment;

        @Option(names = "--p1", paramLabel = "P", description = "With --store: the baseline rate of the planned effect (default: the control's observed rate).")
        Double p1;

        @Option(names = "--p2", paramLabel = "P", description = "With --store: the rate the test is planned to detect, e.g. 0.135; adds the sample size.")
        Double p2;

        @Option(names = "--alpha", defaultValue = "0.05", paramLabel = "A", description = "Two-sided significance level of the plan (default: ${DEFAULT-VALUE}).")
        double alpha;

        @Option(names = "--power", defaultValue = "0.8", paramLabel = "P", description = "Power of the plan (default: ${DEFAULT-VALUE}).")
        double power;

        @Option(names = "--confidence", defaultValue = "0.95", paramLabel = "C", description = "Interval confidence (default: ${DEFAULT-VALUE}).")
        double confidence;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (source.store != null) {
                if (split != null) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--split: the store holds the split the server recorded; --split goes with --events");
                }
                if (p1 != null && p2 == null) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--p1 " + p1 + ": a plan also needs --p2, the rate to detect");
                }
                ExperimentReport.PlannedEffect planned = p2 == null ? null : new ExperimentReport.PlannedEffect(p1, p2, alpha, power);
                ExperimentReport report = StoredExperiment.report(source.store, experiment, confidence, planned);
                PrintWriter out = spec.commandLine().getOut();
                out.print(json ? Json.indented().writeValueAsString(report) + "\n" : report.toText());
                out.flush();
                return 0;
            }
            if (p1 != null || p2 != null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--p1/--p2: a plan goes with --store; for a plan alone use 'kefu ab power'");
            }
            String salt = experiment == null ? "default" : experiment;
            ArmAssigner assigner = split == null ? null : new ArmAssigner(salt, ArmAssigner.parseSplit(split));
            AbReport report = AbReport.fromCsv(source.events, assigner, confidence);
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? Json.indented().writeValueAsString(report) + "\n" : report.toText());
            out.flush();
            return 0;
        }
    }

    /** {@code kefu ab power}. */
    @Command(name = "power",
            mixinStandardHelpOptions = true,
            description = "Sessions per arm needed to detect a change from --p1 to --p2 (two-sided two-proportion z-test).",
            footer = {"", "Example:", "  kefu ab power --p1 0.125 --p2 0.135 --alpha 0.05 --power 0.8"})
    static final class Power implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--p1", required = true, paramLabel = "P", description = "Baseline conversion rate, e.g. 0.125.")
        double p1;

        @Option(names = "--p2", required = true, paramLabel = "P", description = "Conversion rate to detect, e.g. 0.135.")
        double p2;

        @Option(names = "--alpha", defaultValue = "0.05", paramLabel = "A", description = "Two-sided significance level (default: ${DEFAULT-VALUE}).")
        double alpha;

        @Option(names = "--power", defaultValue = "0.8", paramLabel = "P", description = "Power (default: ${DEFAULT-VALUE}).")
        double power;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            SampleSize s = SampleSize.perArm(p1, p2, alpha, power);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.indented().writeValueAsString(s));
            } else {
                out.printf(Locale.ROOT, "%d sessions per arm (%d in total) to detect %.4g -> %.4g at alpha %.3g with power %.3g (exact n = %.2f)%n",
                        s.perArm(), 2 * s.perArm(), p1, p2, alpha, power, s.exact());
            }
            out.flush();
            return 0;
        }
    }
}
