package io.kefu.model;

import io.kefu.chat.ChatModel;
import io.kefu.spi.EngineProvider;
import io.kefu.train.Adapter;
import java.util.List;
import java.util.Set;

/** Two providers for {@link EnginesTest}: one that loads, one whose native library is missing. */
final class TestEngineProviders {
    private TestEngineProviders() {
    }

    /** Always available; its engine can do nothing but name itself and say which options it was given. */
    public static final class Available implements EngineProvider {
        @Override
        public String id() {
            return "test-ok";
        }

        @Override
        public EngineStatus status() {
            return new EngineStatus(id(), true, "always here");
        }

        @Override
        public Engine create(EngineOptions options) {
            return new OptionsEngine(options);
        }
    }

    /** An engine that only remembers its options. */
    static final class OptionsEngine implements Engine {
        final EngineOptions options;

        OptionsEngine(EngineOptions options) {
            this.options = options;
        }

        @Override
        public String id() {
            return "test-ok";
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public BaseModel load(ModelRef ref) {
            throw new IllegalStateException("not used by the test");
        }

        @Override
        public ChatModel chatModel(BaseModel base, List<Adapter> adapters) {
            throw new IllegalStateException("not used by the test");
        }

        @Override
        public void close() {
        }
    }

    /** Never available. */
    public static final class Missing implements EngineProvider {
        @Override
        public String id() {
            return "test-missing";
        }

        @Override
        public EngineStatus status() {
            return new EngineStatus(id(), false, "libtest.so not found in [/opt/test]");
        }

        @Override
        public Engine create(EngineOptions options) {
            throw new IllegalStateException("must not be created");
        }
    }
}
