package io.kefu.cli.data;

import io.kefu.chat.ChatMessage;
import io.kefu.runtime.tokenize.BpeTokenizerFiles;
import io.kefu.runtime.tokenize.BpeTrainer;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kefu data train-tokenizer}: learn a small byte-level BPE tokenizer from dialogs. */
@Command(name = "train-tokenizer",
        mixinStandardHelpOptions = true,
        description = {"Learn a byte-level BPE tokenizer from the messages of one or more datasets.",
                "Qwen-style pre-tokenizer, ChatML chat template; writes tokenizer.json and tokenizer_config.json."},
        footer = {"", "Examples:",
                "  kefu data train-tokenizer out/corpus/train.jsonl --vocab-size 4096 --out out/tokenizer"})
public final class TrainTokenizerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Dataset files (JSON array or JSONL, any supported record shape).")
    List<Path> files;

    @Option(names = "--vocab-size", paramLabel = "N", defaultValue = "4096",
            description = "Byte symbols plus merges, not counting the 3 special tokens (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--min-frequency", paramLabel = "N", defaultValue = "2",
            description = "Never merge a pair seen fewer times (default: ${DEFAULT-VALUE}).")
    int minFrequency;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "2048",
            description = "model_max_length written to tokenizer_config.json (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the tokenizer files.")
    Path out;

    @Override
    public Integer call() {
        BpeTrainer trainer = new BpeTrainer(vocabSize, minFrequency);
        int examples = 0;
        for (Path file : files) {
            for (Example example : Dataset.load(file).examples()) {
                for (ChatMessage message : example.messages()) {
                    trainer.add(message.content());
                }
                examples++;
            }
        }
        BpeTrainer.Result bpe = trainer.train();
        BpeTokenizerFiles.write(bpe, maxLength, out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("learned %d merges from %d examples; vocabulary %d + 3 special tokens; wrote %s%n",
                bpe.merges().size(), examples, bpe.vocab().size(), out);
        o.flush();
        return 0;
    }
}
