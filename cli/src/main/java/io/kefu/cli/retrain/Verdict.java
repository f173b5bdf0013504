package io.kefu.cli.retrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.gate.GateReport;
import io.kefu.eval.gate.MetricVerdict;
import io.kefu.runtime.data.NewDataFilter;
import io.kefu.runtime.data.ReplayMix;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.provenance.Sha256;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The month's answer, written as {@value #FILE_NAME} beside the candidate: ship it or not, with the
 * reason from each held-out set's gate, and what went into the candidate.
 *
 * @param ship whether no gate found the candidate worse beyond noise
 * @param reasons one line per held-out set: the gate's decision and the metrics that made it
 * @param json the whole record
 */
record Verdict(boolean ship, List<String> reasons, ObjectNode json) {
    static final String FILE_NAME = "verdict.json";

    /**
     * @param gates the gate's report per held-out set ({@code test} first, then each subset)
     * @param candidate the candidate adapter folder
     * @param previous last month's adapter folder
     * @param filtered how the new data was deduplicated
     * @param mix how earlier data was replayed
     * @param preferenceStep what the preference-training step did
     */
    static Verdict of(Map<String, GateReport> gates, Path candidate, Path previous, NewDataFilter.Result filtered,
                      ReplayMix.Result mix, PreferenceStep preferenceStep) {
        boolean ship = gates.values().stream().allMatch(GateReport::ship);
        List<String> reasons = new ArrayList<>();
        ObjectNode root = Json.indented().createObjectNode();
        root.put("decision", ship ? "ship" : "do not ship");
        root.put("ship", ship);
        root.put("exit_code", ship ? RetrainCommand.SHIP : RetrainCommand.DO_NOT_SHIP);
        ObjectNode reasonsNode = root.putObject("gates");
        for (Map.Entry<String, GateReport> e : gates.entrySet()) {
            GateReport gate = e.getValue();
            String reason = e.getKey() + ": " + decisionLine(gate);
            reasons.add(reason);
            ObjectNode g = reasonsNode.putObject(e.getKey());
            g.put("decision", gate.decision());
            g.put("examples", gate.examples());
            g.put("reason", decisionLine(gate));
            ArrayNode metrics = g.putArray("metrics");
            for (MetricVerdict m : gate.metrics()) {
                ObjectNode metric = metrics.addObject();
                metric.put("metric", m.metric());
                metric.put("previous", m.baseline());
                metric.put("candidate", m.candidate());
                metric.put("verdict", m.verdict().name().toLowerCase(java.util.Locale.ROOT));
                metric.put("explanation", m.explanation());
            }
        }
        ArrayNode reasonList = root.putArray("reasons");
        reasons.forEach(reasonList::add);
        ObjectNode c = root.putObject("candidate");
        c.put("path", candidate.toString());
        c.put("sha256", Sha256.ofAdapter(candidate));
        ObjectNode p = root.putObject("previous");
        p.put("path", previous.toString());
        p.put("sha256", Sha256.ofAdapter(previous));
        ObjectNode data = root.putObject("data");
        data.put("new", filtered.kept().size());
        data.put("already_trained", filtered.alreadyTrained());
        data.put("repeated", filtered.repeated());
        data.put("replayed", mix.replayed());
        preferenceStep.writeTo(root.putObject("preference_training"));
        return new Verdict(ship, List.copyOf(reasons), root);
    }

    /** Writes the record durably (temp file, fsync, rename). */
    void writeTo(Path file) {
        try {
            AtomicFiles.writeString(file, Json.indented().writeValueAsString(json) + "\n");
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot write " + file, e);
        }
    }

    /** @return the decision and a line per held-out set */
    String toText() {
        StringBuilder sb = new StringBuilder(ship ? "verdict: ship" : "verdict: do not ship").append('\n');
        reasons.forEach(r -> sb.append("  ").append(r).append('\n'));
        return sb.toString();
    }

    /** The last line of the gate's text report: the decision with its reason. */
    private static String decisionLine(GateReport gate) {
        List<String> lines = gate.toText().lines().toList();
        return lines.get(lines.size() - 1);
    }
}
