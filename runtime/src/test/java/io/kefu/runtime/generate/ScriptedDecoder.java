package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A deterministic test double of an engine: a byte-level "model" (ids 0-255 are bytes) whose next
 * token depends only on its own row: the answer scripted for the row's first prompt token, one
 * token per position, then the end-of-turn id. The scripted token gets logit 8, the byte after it
 * in value logit 6, and every other id a small logit that depends on the row's history, so
 * sampling has real alternatives. It records what it was called with.
 */
final class ScriptedDecoder implements Decoder {
    static final int VOCAB = 260;
    static final int EOS = 256;
    static final int END_OF_TURN = 257;

    private final Map<Integer, int[]> scripts;
    private final int maxSequenceLength;
    private final int failAtStep;
    private final long stepDelayMillis;
    private List<List<Integer>> rows;
    final List<int[][]> prefills = new ArrayList<>();
    final List<int[]> steps = new ArrayList<>();
    volatile boolean closed;

    ScriptedDecoder(Map<Integer, int[]> scripts) {
        this(scripts, Integer.MAX_VALUE, -1, 0);
    }

    ScriptedDecoder(Map<Integer, int[]> scripts, int maxSequenceLength, int failAtStep, long stepDelayMillis) {
        this.scripts = scripts;
        this.maxSequenceLength = maxSequenceLength;
        this.failAtStep = failAtStep;
        this.stepDelayMillis = stepDelayMillis;
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    @Override
    public float[][] prefill(int[][] promptIds) {
        prefills.add(promptIds);
        rows = new ArrayList<>();
        for (int[] prompt : promptIds) {
            List<Integer> row = new ArrayList<>();
            for (int id : prompt) {
                row.add(id);
            }
            rows.add(row);
        }
        return logits();
    }

    @Override
    public float[][] step(int[] nextTokens) {
        if (closed) {
            throw new IllegalStateException("step after close");
        }
        if (nextTokens.length != rows.size()) {
            throw new IllegalArgumentException("one token per row expected");
        }
        steps.add(nextTokens.clone());
        if (steps.size() == failAtStep) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "scripted failure at step " + failAtStep);
        }
        if (stepDelayMillis > 0) {
            try {
                Thread.sleep(stepDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = 0; i < nextTokens.length; i++) {
            rows.get(i).add(nextTokens[i]);
        }
        return logits();
    }

    private float[][] logits() {
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            out[r] = logits(scripts, rows.get(r), prefills.get(prefills.size() - 1)[r].length);
        }
        return out;
    }

    /** @return the logits after a row's history (prompt then fed tokens), given its prompt length */
    static float[] logits(Map<Integer, int[]> scripts, List<Integer> row, int promptLength) {
        float[] out = new float[VOCAB];
        int position = row.size() - promptLength;
        int[] script = scripts.get(row.get(0));
        int wanted = position < script.length ? script[position] : END_OF_TURN;
        int hash = 17;
        for (int id : row) {
            hash = hash * 31 + id;
        }
        for (int v = 0; v < VOCAB; v++) {
            out[v] = ((hash ^ (v * 0x9E3779B9)) & 0xFF) / 256f;
        }
        out[(wanted + 1) % VOCAB] = 6f;
        out[wanted] = 8f;
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }
}
