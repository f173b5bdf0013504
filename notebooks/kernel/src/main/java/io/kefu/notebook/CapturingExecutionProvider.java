package io.kefu.notebook;

import java.util.Map;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/** Hands JShell the kernel's {@link CapturingExecutionControl}. */
final class CapturingExecutionProvider implements ExecutionControlProvider {
    private final CapturingExecutionControl control;

    CapturingExecutionProvider(CapturingExecutionControl control) {
        this.control = control;
    }

    @Override
    public String name() {
        return "kefu-local";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
        return control;
    }
}
