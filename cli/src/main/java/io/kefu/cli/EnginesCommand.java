package io.kefu.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.model.EngineStatus;
import io.kefu.model.Engines;
import io.kefu.runtime.format.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu engines}: which engines are on the class path, and why one cannot load. */
@Command(name = "engines",
        mixinStandardHelpOptions = true,
        description = "List the engines on the class path and why one cannot load here.",
        footer = {"", "Examples:", "  kefu engines", "  kefu engines --json"})
public final class EnginesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<EngineStatus> engines = Engines.available();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = Json.mapper();
            ArrayNode array = mapper.createArrayNode();
            for (EngineStatus engine : engines) {
                ObjectNode node = array.addObject();
                node.put("id", engine.id());
                node.put("available", engine.available());
                node.put("reason", engine.reason());
            }
            out.println(mapper.writeValueAsString(array));
        } else if (engines.isEmpty()) {
            out.println("no engines on the class path");
        } else {
            out.printf("%-10s %-10s %s%n", "ENGINE", "STATUS", "DETAIL");
            for (EngineStatus engine : engines) {
                out.printf("%-10s %-10s %s%n", engine.id(), engine.available() ? "available" : "missing", engine.reason());
            }
        }
        out.flush();
        return 0;
    }
}
