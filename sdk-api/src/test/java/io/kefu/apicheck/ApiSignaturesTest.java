package io.kefu.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiSignaturesTest {

    private static final String SAMPLE = "io.kefu.apicheck.ApiSignaturesTest$Sample: ";

    /** A type with members of each kind and visibility. */
    public abstract static class Sample implements Comparable<Sample> {
        public static final String NAME = "sample";
        protected int count;
        private int hidden;

        public Sample(List<String> items) {
        }

        protected Sample() {
        }

        public abstract <T extends CharSequence> T first(Map<String, T> byName, int[] sizes, String... more);

        @Override
        public int compareTo(Sample other) {
            return Integer.compare(count, other.count + hidden);
        }

        void packagePrivate() {
        }

        private void hidden() {
        }

        /** A nested interface. */
        public interface Nested {
            void run();

            default Nested self() {
                return this;
            }
        }

        private static class Hidden {
        }
    }

    @Test
    void listsPublicAndProtectedMembersWithErasedTypes() {
        assertThat(ApiSignatures.of(Sample.class)).containsExactlyInAnyOrder(
                SAMPLE + "public static abstract class",
                SAMPLE + "supertype java.lang.Comparable",
                SAMPLE + "public <init>(java.util.List)",
                SAMPLE + "protected <init>()",
                SAMPLE + "public abstract java.lang.CharSequence first(java.util.Map, int[], java.lang.String[])",
                SAMPLE + "public int compareTo(io.kefu.apicheck.ApiSignaturesTest$Sample)",
                SAMPLE + "public static final java.lang.String NAME",
                SAMPLE + "protected int count");
    }

    @Test
    void listsNestedTypesWithTheirOwnName() {
        String nested = "io.kefu.apicheck.ApiSignaturesTest$Sample$Nested: ";
        assertThat(ApiSignatures.of(Sample.Nested.class)).containsExactlyInAnyOrder(
                nested + "public static interface",
                nested + "public abstract void run()",
                nested + "public io.kefu.apicheck.ApiSignaturesTest$Sample$Nested self()");
    }

    @Test
    void typesHiddenFromUsersAreNotApi() {
        assertThat(ApiSignatures.isApi(Sample.Hidden.class)).isFalse();
        assertThat(ApiSignatures.isApi(new Object() { }.getClass())).isFalse();
        assertThat(ApiSignatures.isApi(io.kefu.KefuException.class)).isTrue();
    }

    @Test
    void listsSupertypesTransitively() {
        assertThat(ApiSignatures.of(io.kefu.KefuException.class)).contains(
                "io.kefu.KefuException: supertype java.lang.RuntimeException",
                "io.kefu.KefuException: supertype java.lang.Exception",
                "io.kefu.KefuException: supertype java.lang.Throwable",
                "io.kefu.KefuException: supertype java.io.Serializable");
    }
}
