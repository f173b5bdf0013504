package io.kefu.cli.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.gate.GateConfig;
import io.kefu.eval.gate.GateReport;
import io.kefu.eval.gate.RegressionGate;
import io.kefu.eval.standard.ComparisonReport;
import io.kefu.eval.standard.SystemReport;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the regression gate on two scored systems of a comparison, prints its report and writes
 * {@value #FILE_NAME} beside the comparison. The shared part of {@code kefu eval --gate} and {@code kefu retrain}.
 */
public final class GateRun {
    /** The gate's machine-readable report in the comparison folder. */
    public static final String FILE_NAME = "gate.json";

    private GateRun() {
    }

    /**
     * @param report the comparison holding both systems
     * @param baseline the baseline system's name
     * @param candidate the candidate system's name
     * @param config how to judge
     * @param out the comparison folder, where {@value #FILE_NAME} is written
     * @param console where the report is printed
     * @return the gate's verdict
     */
    public static GateReport judge(ComparisonReport report, String baseline, String candidate, GateConfig config, Path out,
                                   PrintWriter console) {
        GateReport verdict = RegressionGate.judge(system(report, baseline), system(report, candidate), config);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("decision", verdict.decision());
        json.put("ship", verdict.ship());
        json.put("gate", verdict);
        try {
            AtomicFiles.writeString(out.resolve(FILE_NAME), Json.indented().writeValueAsString(json) + "\n");
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot write the gate report", e);
        }
        console.println();
        console.print(verdict.toText());
        console.flush();
        return verdict;
    }

    private static SystemReport system(ComparisonReport report, String name) {
        return report.systems().stream().filter(s -> s.system().equals(name)).findFirst().orElseThrow();
    }
}
