package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatMessage;
import io.kefu.data.Example;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preference records as Kefu, LLaMA-Factory and TRL write them all become an answer plus {@code rejected}. */
class PreferenceRecordsTest {

    @TempDir
    Path dir;

    @Test
    void everyFormatGivesTheSameExample() {
        String[] lines = {
                // Kefu: any record shape plus a rejected string
                "{\"instruction\": \"有S码吗\", \"output\": \"有的,还有12件\", \"rejected\": \"不知道\"}",
                // LLaMA-Factory Alpaca ranking data
                "{\"instruction\": \"有S码吗\", \"chosen\": \"有的,还有12件\", \"rejected\": \"不知道\"}",
                // LLaMA-Factory ShareGPT ranking data: the conversation ends with the user
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"有S码吗\"}],"
                        + " \"chosen\": {\"from\": \"gpt\", \"value\": \"有的,还有12件\"}, \"rejected\": {\"from\": \"gpt\", \"value\": \"不知道\"}}",
                // OpenAI messages with chosen/rejected messages
                "{\"messages\": [{\"role\": \"user\", \"content\": \"有S码吗\"}],"
                        + " \"chosen\": {\"role\": \"assistant\", \"content\": \"有的,还有12件\"}, \"rejected\": {\"role\": \"assistant\", \"content\": \"不知道\"}}",
                // TRL standard
                "{\"prompt\": \"有S码吗\", \"chosen\": \"有的,还有12件\", \"rejected\": \"不知道\"}",
                // TRL conversational with an explicit prompt
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"有S码吗\"}],"
                        + " \"chosen\": [{\"role\": \"assistant\", \"content\": \"有的,还有12件\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"不知道\"}]}",
                // TRL conversational with the implicit prompt
                "{\"chosen\": [{\"role\": \"user\", \"content\": \"有S码吗\"}, {\"role\": \"assistant\", \"content\": \"有的,还有12件\"}],"
                        + " \"rejected\": [{\"role\": \"user\", \"content\": \"有S码吗\"}, {\"role\": \"assistant\", \"content\": \"不知道\"}],"
                        + " \"source\": \"trl\"}"};
        for (int i = 0; i < lines.length; i++) {
            lines[i] = lines[i].replace("有S码吗", "有S码吗" + (i + 1)); // distinct questions: duplicates are refused
        }
        Path file = TestFiles.write(dir, "pref.jsonl", lines);
        ValidationReport report = TestFiles.validate(file);
        assertThat(report.ok()).as(report.describe(10)).isTrue();
        assertThat(report.shapes()).isEqualTo(Map.of(RecordShape.ALPACA, 2L, RecordShape.SHAREGPT, 1L, RecordShape.OPENAI, 1L,
                RecordShape.TRL_PREFERENCE, 3L));
        List<Example> examples = TestFiles.load(file);
        assertThat(examples).hasSize(7);
        for (Example e : examples) {
            assertThat(e.messages()).as("line %d", e.provenance().line())
                    .containsExactly(ChatMessage.user("有S码吗" + e.provenance().line()), ChatMessage.assistant("有的,还有12件"));
            assertThat(e.rejected()).as("line %d", e.provenance().line()).isEqualTo("不知道");
        }
        assertThat(examples.get(4).metadata()).as("TRL's prompt is read, not metadata").isEmpty();
        assertThat(examples.get(6).metadata()).isEqualTo(Map.of("source", "trl"));
    }

    @Test
    void multiTurnImplicitPromptKeepsEarlierTurns() {
        Path file = TestFiles.write(dir, "pref.jsonl",
                "{\"chosen\": [{\"role\": \"system\", \"content\": \"你是客服\"}, {\"role\": \"user\", \"content\": \"在吗\"},"
                        + " {\"role\": \"assistant\", \"content\": \"在的\"}, {\"role\": \"user\", \"content\": \"有S码吗\"},"
                        + " {\"role\": \"assistant\", \"content\": \"有的\"}],"
                        + " \"rejected\": [{\"role\": \"system\", \"content\": \"你是客服\"}, {\"role\": \"user\", \"content\": \"在吗\"},"
                        + " {\"role\": \"assistant\", \"content\": \"在的\"}, {\"role\": \"user\", \"content\": \"有S码吗\"},"
                        + " {\"role\": \"assistant\", \"content\": \"自己看\"}]}");
        Example e = TestFiles.load(file).get(0);
        assertThat(e.messages()).containsExactly(ChatMessage.system("你是客服"), ChatMessage.user("在吗"), ChatMessage.assistant("在的"),
                ChatMessage.user("有S码吗"), ChatMessage.assistant("有的"));
        assertThat(e.rejected()).isEqualTo("自己看");
    }

    @Test
    void malformedPreferenceRecordsAreLocated() {
        Path file = TestFiles.write(dir, "bad.jsonl",
                "{\"instruction\": \"有S码吗\", \"chosen\": \"有的\"}",
                "{\"instruction\": \"有S码吗\", \"output\": \"有的\", \"chosen\": \"有的\", \"rejected\": \"不知道\"}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"有S码吗\"}, {\"from\": \"gpt\", \"value\": \"有的\"}],"
                        + " \"chosen\": {\"from\": \"gpt\", \"value\": \"有的\"}, \"rejected\": {\"from\": \"gpt\", \"value\": \"不知道\"}}",
                "{\"chosen\": [{\"role\": \"user\", \"content\": \"有S码吗\"}, {\"role\": \"assistant\", \"content\": \"有的\"}],"
                        + " \"rejected\": [{\"role\": \"user\", \"content\": \"有M码吗\"}, {\"role\": \"assistant\", \"content\": \"不知道\"}]}",
                "{\"prompt\": \"有S码吗\", \"chosen\": [{\"role\": \"user\", \"content\": \"有的\"}], \"rejected\": \"不知道\"}",
                "{\"prompt\": \"有S码吗\", \"chosen\": \"有的\", \"rejected\": \"  \"}");
        ValidationReport report = TestFiles.validate(file);
        String text = report.describe(20);
        assertThat(report.ok()).isFalse();
        assertThat(text).contains(":1", "rejected", "needs the rejected answer too");
        assertThat(text).contains(":2", "output", "leave 'output' out");
        assertThat(text).contains(":3", "conversations", "ends with the user");
        assertThat(text).contains(":4", "must repeat the 'chosen' conversation");
        assertThat(text).contains(":5", "chosen[0].role", "must come from the assistant");
        assertThat(text).contains(":6", "empty");
    }
}
