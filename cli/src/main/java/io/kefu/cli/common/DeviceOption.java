package io.kefu.cli.common;

import io.kefu.model.Device;
import io.kefu.model.Engine;
import io.kefu.model.EngineOptions;
import io.kefu.model.Engines;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code --device} option (a picocli mixin) of the commands that compute with an engine:
 * {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}, passed to the engine as
 * {@link EngineOptions#device()}. Not given: the engine's default (the CPU for djl and onnx).
 */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "cpu|cuda[:N]|auto",
            description = "Where the engine computes: cpu, cuda (GPU 0), cuda:N or auto (a GPU when the engine finds one)"
                    + " (default: the engine's, the CPU for djl and onnx).")
    String device;

    /** @return the device given, checked, or empty when the option is not given */
    public Optional<Device> device() {
        return Optional.ofNullable(device).map(Device::parse);
    }

    /** @return the engine options the option sets: the device, or nothing */
    public EngineOptions options() {
        EngineOptions.Builder builder = EngineOptions.builder();
        device().ifPresent(builder::device);
        return builder.build();
    }

    /**
     * @param engineId the engine to open
     * @return the shared engine when no device is given, else a new engine on that device, which lives
     *     as long as the command (the engine refuses a device it cannot compute on, naming it)
     */
    public Engine open(String engineId) {
        return device == null ? Engines.get(engineId) : Engines.get(engineId, options());
    }
}
