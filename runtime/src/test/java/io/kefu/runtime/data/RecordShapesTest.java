package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatMessage;
import io.kefu.data.Example;
import io.kefu.data.Provenance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordShapesTest {
    @TempDir
    Path dir;

    @Test
    void alpacaJoinsInstructionAndInputAndKeepsEverythingElse() {
        Path file = TestFiles.write(dir, "a.jsonl",
                "{\"instruction\": \"帮我看看这件\", \"input\": \"连衣裙A, 身高160\", \"output\": \"建议M码~\","
                        + " \"system\": \"你是客服\", \"history\": [[\"在吗\", \"在的亲亲\"]],"
                        + " \"intent\": \"size_advice\", \"strategy\": \"direct_answer\", \"rejected\": \"不知道\","
                        + " \"source\": \"shop\", \"score\": 4.5, \"tags\": [\"a\", null], \"note\": null}");
        Example example = TestFiles.load(file).get(0);
        assertThat(example.messages()).containsExactly(
                ChatMessage.system("你是客服"),
                ChatMessage.user("在吗"),
                ChatMessage.assistant("在的亲亲"),
                ChatMessage.user("帮我看看这件\n连衣裙A, 身高160"),
                ChatMessage.assistant("建议M码~"));
        assertThat(example.intent()).isEqualTo("size_advice");
        assertThat(example.strategy()).isEqualTo("direct_answer");
        assertThat(example.rejected()).isEqualTo("不知道");
        assertThat(example.metadata()).containsOnlyKeys("source", "score", "tags");
        assertThat(example.metadata().get("score")).isEqualTo(4.5);
        assertThat(example.metadata().get("tags")).isEqualTo(java.util.Arrays.asList("a", null));
        assertThat(example.provenance()).isEqualTo(Provenance.file(file.toString(), 1));
    }

    @Test
    void alpacaWithEmptyInstructionUsesTheInputAlone() {
        Path file = TestFiles.write(dir, "a.jsonl", "{\"instruction\": \"\", \"input\": \"有S码吗\", \"output\": \"有的\"}");
        assertThat(TestFiles.load(file).get(0).messages())
                .containsExactly(ChatMessage.user("有S码吗"), ChatMessage.assistant("有的"));
    }

    @Test
    void openAiAndShareGptRecordsMixInOneFile() {
        Path file = TestFiles.write(dir, "mixed.jsonl",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"你是客服\"}, {\"role\": \"user\", \"content\": \"在吗\"},"
                        + " {\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"在的\"}, {\"type\": \"text\", \"text\": \"亲亲\"}]}],"
                        + " \"intent\": \"greeting\"}",
                "",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"有S码吗\"}, {\"from\": \"gpt\", \"value\": \"有的\"},"
                        + " {\"from\": \"human\", \"value\": \"M码呢\"}, {\"from\": \"gpt\", \"value\": \"也有\"}], \"system\": \"你是客服\"}",
                "{\"instruction\": \"能开发票吗\", \"output\": \"可以的\"}");
        ValidationReport report = TestFiles.validate(file);
        assertThat(report.ok()).as(report.describe(10)).isTrue();
        assertThat(report.shapes()).isEqualTo(Map.of(RecordShape.OPENAI, 1L, RecordShape.SHAREGPT, 1L, RecordShape.ALPACA, 1L));
        assertThat(report.intents()).isEqualTo(Map.of("greeting", 1L, ValidationReport.NO_INTENT, 2L));
        List<Example> examples = TestFiles.load(file);
        assertThat(examples.get(0).messages()).containsExactly(ChatMessage.system("你是客服"), ChatMessage.user("在吗"),
                ChatMessage.assistant("在的亲亲"));
        assertThat(examples.get(1).messages()).containsExactly(ChatMessage.system("你是客服"), ChatMessage.user("有S码吗"),
                ChatMessage.assistant("有的"), ChatMessage.user("M码呢"), ChatMessage.assistant("也有"));
        assertThat(examples.get(1).provenance().line()).isEqualTo(3);
        assertThat(examples.get(2).provenance().line()).isEqualTo(4);
    }

    @Test
    void jsonArrayRecordsAreLocatedByTheLineTheyStartOn() {
        Path file = TestFiles.write(dir, "data.json",
                "[",
                "  {\"instruction\": \"a\", \"output\": \"b\"},",
                "  {",
                "    \"instruction\": \"c\",",
                "    \"output\": \"d\"",
                "  },",
                "  {\"instruction\": \"e\",",
                "   \"output\": \"\"}",
                "]");
        ValidationReport report = TestFiles.validate(file);
        assertThat(report.records()).isEqualTo(3);
        assertThat(report.problems()).extracting(Problem::format)
                .containsExactly(file + ":7: output: empty: every example needs the answer to learn");
        Path good = TestFiles.write(dir, "good.json", "[", "  {\"instruction\": \"a\", \"output\": \"b\"},", "  {",
                "    \"instruction\": \"c\",", "    \"output\": \"d\"", "  }", "]");
        assertThat(TestFiles.load(good)).extracting(e -> e.provenance().line()).containsExactly(2L, 3L);
    }

    @Test
    void jsonFileHoldingJsonLinesIsReadAsJsonl() {
        Path file = TestFiles.write(dir, "lines.json", TestFiles.alpacaLines(3).toArray(String[]::new));
        assertThat(TestFiles.load(file)).hasSize(3);
    }

    @Test
    void aPrettyPrintedObjectIsOneProblemWithAHint() {
        Path file = TestFiles.write(dir, "object.json", "{", "  \"instruction\": \"a\",", "  \"output\": \"b\"", "}");
        ValidationReport report = TestFiles.validate(file);
        assertThat(report.problems()).extracting(Problem::format).containsExactly(file
                + ":1: record: invalid JSON at column 2: Unexpected end-of-input: expected close marker for Object;"
                + " a record spans several lines: JSONL needs one record per line, and a .json file needs an array"
                + " of records [{...}, {...}]; reading stopped here");
    }

    @Test
    void byteOrderMarkAndCrlfAreAcceptedSilently() {
        byte[] body = String.join("\r\n", TestFiles.alpacaLines(3)).concat("\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Path file = TestFiles.writeBytes(dir, "bom.jsonl", withBom);
        List<Example> examples = TestFiles.load(file);
        assertThat(examples).hasSize(3);
        assertThat(examples.get(0).question()).hasValue("连衣裙0有S码吗?");
        assertThat(examples.get(2).answer()).hasValue("亲亲，连衣裙2的S码有货哦~");
        assertThat(examples).extracting(e -> e.provenance().line()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void lineNumbersAndColumnsStayRightWithBomAndCrlf() {
        String text = "\uFEFF" + TestFiles.alpacaLines(1).get(0) + "\r\n\r\n{\"instruction\": \"x\" \"output\": \"y\"}\r\n";
        Path file = TestFiles.writeBytes(dir, "bad.jsonl", text.getBytes(StandardCharsets.UTF_8));
        assertThat(TestFiles.validate(file).problems()).extracting(Problem::format).containsExactly(file
                + ":3: record: invalid JSON at column 21: Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries");
    }

    @Test
    void customFieldNamesAreReadThroughAMapping() {
        Path mappingFile = TestFiles.write(dir, "dataset_info.json",
                "{\"file_name\": \"shop.jsonl\", \"formatting\": \"sharegpt\",",
                " \"columns\": {\"messages\": \"dialog\", \"system\": \"persona\", \"intent\": \"label\"},",
                " \"tags\": {\"role_tag\": \"speaker\", \"content_tag\": \"text\", \"user_tag\": \"customer\", \"assistant_tag\": \"agent\"}}");
        FieldMapping mapping = FieldMapping.fromJson(mappingFile);
        Path file = TestFiles.write(dir, "shop.jsonl",
                "{\"dialog\": [{\"speaker\": \"customer\", \"text\": \"有S码吗\"}, {\"speaker\": \"agent\", \"text\": \"有的\"}],"
                        + " \"persona\": \"你是客服\", \"label\": \"stock_size\", \"intent\": \"kept as metadata\"}");
        ValidationReport report = new DatasetValidator(ValidationOptions.builder().mapping(mapping).minExamples(0).build())
                .validate(file);
        assertThat(report.ok()).as(report.describe(10)).isTrue();
        Example example = DatasetLoader.load(file, ValidationOptions.builder().mapping(mapping).minExamples(0).build()).examples().get(0);
        assertThat(example.messages()).containsExactly(ChatMessage.system("你是客服"), ChatMessage.user("有S码吗"),
                ChatMessage.assistant("有的"));
        assertThat(example.intent()).isEqualTo("stock_size");
        assertThat(example.metadata()).isEqualTo(Map.of("intent", "kept as metadata"));

        Path unmapped = TestFiles.write(dir, "plain.jsonl",
                "{\"dialog\": [{\"speaker\": \"customer\", \"text\": \"有S码吗\"}]}");
        assertThat(TestFiles.validate(unmapped).problems()).extracting(Problem::reason).singleElement().asString()
                .startsWith("not a recognised record").contains("found fields dialog");
    }

    @Test
    void everyBadFieldOfARecordIsReported() {
        Path file = TestFiles.write(dir, "bad.jsonl",
                "{\"instruction\": 1, \"output\": \"\", \"intent\": [\"x\"], \"history\": [[\"q\", \"\"], \"x\"]}");
        assertThat(TestFiles.validate(file).problems()).extracting(p -> p.field() + ": " + p.reason()).containsExactly(
                "instruction: expected a string, found a number",
                "history[0][1]: empty answer",
                "history[1]: expected a [question, answer] pair, found a string \"x\"",
                "output: empty: every example needs the answer to learn",
                "intent: expected a string, found an array");
    }

    @Test
    void roleOrderProblemsNameTheMessage() {
        Path file = TestFiles.write(dir, "roles.jsonl",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"tool\", \"content\": \"{}\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"\"}]}",
                "{\"messages\": []}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}, {\"role\": \"tool\", \"content\": \"{}\"}, {\"role\": \"assistant\", \"content\": \"c\"}]}");
        assertThat(TestFiles.validate(file).problems()).extracting(Problem::format).containsExactly(
                file + ":1: messages[2].role: two assistant messages in a row (messages[1] is also from the assistant); merge them or add the user's turn between them",
                file + ":2: messages[1].role: a system message may only come first",
                file + ":3: messages[1].role: a tool result must follow an assistant message",
                file + ":4: messages[1].content: empty assistant message: every answer must have text",
                file + ":5: messages: empty conversation: it needs a user message and the assistant answer");
    }
}
