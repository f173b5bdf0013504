package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.junit.jupiter.api.Test;

class FieldMappingTest {
    private static FieldMapping parse(String json) throws Exception {
        return FieldMapping.fromJson(new ObjectMapper().readTree(json), "mapping.json");
    }

    @Test
    void llamaFactoryNamesMapToOurs() throws Exception {
        FieldMapping mapping = parse("{\"columns\": {\"prompt\": \"q\", \"query\": \"ctx\", \"response\": \"a\", \"history\": \"h\"},"
                + " \"tags\": {\"user_tag\": \"customer\", \"assistant_tag\": \"agent\", \"observation_tag\": \"lookup\"}}");
        assertThat(mapping.instruction()).isEqualTo("q");
        assertThat(mapping.input()).isEqualTo("ctx");
        assertThat(mapping.output()).isEqualTo("a");
        assertThat(mapping.history()).isEqualTo("h");
        assertThat(mapping.userTags()).containsExactly("customer");
        assertThat(mapping.assistantTags()).containsExactly("agent");
        assertThat(mapping.toolTags()).containsExactly("lookup");
        assertThat(mapping.systemTags()).containsExactly("system");
        assertThat(parse("{}")).isEqualTo(FieldMapping.defaults());
    }

    @Test
    void unknownOrUnsupportedKeysAreNamed() {
        assertThatThrownBy(() -> parse("{\"columns\": {\"answer\": \"a\"}}"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageStartingWith("mapping.json: columns.answer: unknown column");
        assertThatThrownBy(() -> parse("{\"columns\": {\"images\": \"img\"}}")).hasMessageContaining("columns.images: not supported");
        assertThatThrownBy(() -> parse("{\"tags\": {\"role_tag\": 3}}"))
                .hasMessage("mapping.json: tags.role_tag: expected a non-empty string, found 3");
        assertThatThrownBy(() -> parse("[]")).hasMessageContaining("must be a JSON object");
    }

    @Test
    void builderRejectsAmbiguousMappings() {
        assertThatThrownBy(() -> FieldMapping.builder().input("output").build())
                .hasMessage("field mapping: column 'output' is mapped to two parts");
        assertThatThrownBy(() -> FieldMapping.builder().userTags("human", "gpt").build())
                .hasMessage("field mapping: role name 'gpt' is given to two roles");
        assertThatThrownBy(() -> FieldMapping.builder().intent(" ").build())
                .hasMessage("field mapping: intent must be a non-empty name");
    }
}
