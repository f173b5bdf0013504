package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The model of {@link ScriptedDecoder} (each row's logits depend on its own history only) as a
 * {@link JoinableDecoder}, recording the size of every forward pass. It can be told to fail on a
 * given fed token, or to fail a join of a given prompt's first token.
 */
final class ScriptedJoinableDecoder implements JoinableDecoder {
    static final int NO_FAILURE = -1;

    private final Map<Integer, int[]> scripts;
    private final long stepDelayMillis;
    private final int failOnFedToken;
    private final int failJoinOfFirstToken;
    private final List<List<Integer>> rows = new ArrayList<>();
    private final List<Integer> promptLengths = new ArrayList<>();
    /** Rows of each step, in order. */
    final List<Integer> stepSizes = new CopyOnWriteArrayList<>();
    /** Rows already running at each join, and how many joined. */
    final List<int[]> joins = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    ScriptedJoinableDecoder(Map<Integer, int[]> scripts, long stepDelayMillis, int failOnFedToken, int failJoinOfFirstToken) {
        this.scripts = scripts;
        this.stepDelayMillis = stepDelayMillis;
        this.failOnFedToken = failOnFedToken;
        this.failJoinOfFirstToken = failJoinOfFirstToken;
    }

    @Override
    public int vocabSize() {
        return ScriptedDecoder.VOCAB;
    }

    @Override
    public int rows() {
        return rows.size();
    }

    @Override
    public float[][] prefill(int[][] promptIds) {
        if (!rows.isEmpty()) {
            throw new IllegalStateException("prefill of a running batch");
        }
        return join(promptIds);
    }

    @Override
    public float[][] join(int[][] promptIds) {
        check();
        joins.add(new int[] {rows.size(), promptIds.length});
        for (int[] prompt : promptIds) {
            if (prompt[0] == failJoinOfFirstToken) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "scripted join failure");
            }
        }
        float[][] out = new float[promptIds.length][];
        for (int i = 0; i < promptIds.length; i++) {
            List<Integer> row = new ArrayList<>();
            for (int id : promptIds[i]) {
                row.add(id);
            }
            rows.add(row);
            promptLengths.add(promptIds[i].length);
            out[i] = ScriptedDecoder.logits(scripts, row, promptIds[i].length);
        }
        return out;
    }

    @Override
    public float[][] step(int[] nextTokens) {
        check();
        if (nextTokens.length != rows.size()) {
            throw new IllegalArgumentException("step got " + nextTokens.length + " tokens for " + rows.size() + " rows");
        }
        stepSizes.add(nextTokens.length);
        for (int token : nextTokens) {
            if (token == failOnFedToken) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "scripted failure on token " + token);
            }
        }
        if (stepDelayMillis > 0) {
            try {
                Thread.sleep(stepDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            rows.get(r).add(nextTokens[r]);
            out[r] = ScriptedDecoder.logits(scripts, rows.get(r), promptLengths.get(r));
        }
        return out;
    }

    @Override
    public void retain(int[] keep) {
        check();
        List<List<Integer>> keptRows = new ArrayList<>();
        List<Integer> keptLengths = new ArrayList<>();
        int previous = -1;
        for (int k : keep) {
            if (k <= previous || k >= rows.size()) {
                throw new IllegalArgumentException("retain indices must ascend within the batch");
            }
            previous = k;
            keptRows.add(rows.get(k));
            keptLengths.add(promptLengths.get(k));
        }
        rows.clear();
        rows.addAll(keptRows);
        promptLengths.clear();
        promptLengths.addAll(keptLengths);
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("used after close");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
