package io.kefu.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.chat.GenerationParameters;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SamplerTest {
    static GenerationParameters.Builder params() {
        return GenerationParameters.builder();
    }

    @Test
    void greedyTakesTheHighestLogitLowestIdOnTies() {
        Sampler s = new Sampler(GenerationParameters.greedy(), new int[] {});
        assertThat(s.next(new float[] {0.1f, 3f, -2f, 3f}).tokenId()).isEqualTo(1);
        assertThat(s.next(new float[] {0.1f, 0.2f, 5f}).tokenId()).isEqualTo(2);
    }

    @Test
    void idsPastTheTokenizersVocabularyAreNeverPicked() {
        // a model's vocabulary padded from 3 spellable ids to 5: the padding has the largest logits
        float[] logits = {0.1f, 0.3f, 0.2f, 9f, 9f};
        assertThat(new Sampler(GenerationParameters.greedy(), new int[] {}, 3).next(logits).tokenId()).isEqualTo(1);
        Sampler sampling = new Sampler(params().temperature(1.0).seed(3).logprobs(true).build(), new int[] {}, 3);
        double z = Math.log(Math.exp(0.1) + Math.exp(0.3) + Math.exp(0.2));
        for (int i = 0; i < 200; i++) {
            Sampler.Sample sample = sampling.next(logits);
            assertThat(sample.tokenId()).isLessThan(3);
            assertThat(sample.logprob()).isCloseTo(logits[sample.tokenId()] - z, Offset.offset(1e-6));
        }
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        // transformers' RepetitionPenaltyLogitsProcessor: score < 0 ? score * p : score / p, over prompt and output
        GenerationParameters p = params().repetitionPenalty(1.5).logprobs(true).build();
        Sampler s = new Sampler(p, new int[] {0});
        Sampler.Sample first = s.next(new float[] {1.0f, 0.8f, -3f});
        assertThat(first.tokenId()).isEqualTo(1); // 1.0 / 1.5 = 0.667 < 0.8
        double z = Math.log(Math.exp(1.0 / 1.5) + Math.exp(0.8) + Math.exp(-3));
        assertThat(first.logprob()).isCloseTo(0.8 - z, Offset.offset(1e-7));
        Sampler negative = new Sampler(params().repetitionPenalty(2.0).build(), new int[] {0});
        assertThat(negative.next(new float[] {-0.5f, -0.6f}).tokenId()).isEqualTo(1); // -0.5 * 2 = -1.0 < -0.6
        // the chosen token now counts as seen too
        Sampler again = new Sampler(params().repetitionPenalty(2.0).build(), new int[] {});
        assertThat(again.next(new float[] {1.0f, 0.9f}).tokenId()).isZero();
        assertThat(again.next(new float[] {1.0f, 0.9f}).tokenId()).isEqualTo(1); // 0.5 < 0.9
    }

    @Test
    void logprobIsLogSoftmaxAfterTemperatureInDouble() {
        float[] logits = {2f, 1f, 0.5f, -1f};
        Sampler greedy = new Sampler(params().logprobs(true).build(), new int[] {});
        double z = Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0.5) + Math.exp(-1));
        assertThat(greedy.next(logits).logprob()).isCloseTo(2 - z, Offset.offset(1e-12));
        Sampler hot = new Sampler(params().temperature(0.5).topK(1).logprobs(true).build(), new int[] {});
        double z2 = Math.log(Math.exp(4) + Math.exp(2) + Math.exp(1) + Math.exp(-2));
        Sampler.Sample sample = hot.next(logits);
        assertThat(sample.tokenId()).isZero();
        assertThat(sample.logprob()).isCloseTo(4 - z2, Offset.offset(1e-12));
        assertThat(new Sampler(GenerationParameters.greedy(), new int[] {}).next(logits).logprob()).isNaN();
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i);
        }
        int[] a = draw(params().temperature(1.0).seed(42).build(), logits, 200);
        int[] b = draw(params().temperature(1.0).seed(42).build(), logits, 200);
        int[] c = draw(params().temperature(1.0).seed(43).build(), logits, 200);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void samplingFollowsTheSoftmax() {
        float[] logits = {1f, 0f, -1f, 0.5f};
        double z = Math.exp(1) + 1 + Math.exp(-1) + Math.exp(0.5);
        int[] counts = histogram(draw(params().temperature(1.0).seed(7).build(), logits, 40_000), 4);
        assertThat(counts[0] / 40_000.0).isCloseTo(Math.exp(1) / z, Offset.offset(0.01));
        assertThat(counts[2] / 40_000.0).isCloseTo(Math.exp(-1) / z, Offset.offset(0.01));
        // temperature 2 flattens: p ~ exp(logit / 2)
        double z2 = Math.exp(0.5) + 1 + Math.exp(-0.5) + Math.exp(0.25);
        int[] hot = histogram(draw(params().temperature(2.0).seed(7).build(), logits, 40_000), 4);
        assertThat(hot[2] / 40_000.0).isCloseTo(Math.exp(-0.5) / z2, Offset.offset(0.01));
    }

    @Test
    void topKKeepsTheKMostLikely() {
        float[] logits = {3f, 2.9f, 2.8f, 2.7f, -5f};
        int[] counts = histogram(draw(params().temperature(1.0).topK(2).seed(1).build(), logits, 5000), 5);
        assertThat(counts[2] + counts[3] + counts[4]).isZero();
        assertThat(counts[0]).isPositive();
        assertThat(counts[1]).isPositive();
        // the k-th value's ties are kept, as in transformers (scores < kth are removed)
        int[] ties = histogram(draw(params().temperature(1.0).topK(1).seed(1).build(), new float[] {1f, 1f, 0f}, 2000), 3);
        assertThat(ties[0]).isPositive();
        assertThat(ties[1]).isPositive();
        assertThat(ties[2]).isZero();
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities 0.5, 0.3, 0.15, 0.05: with p = 0.7 the mass before token 2 is 0.8 >= 0.7, so only 0 and 1 stay
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        int[] counts = histogram(draw(params().temperature(1.0).topP(0.7).seed(3).build(), logits, 20_000), 4);
        assertThat(counts[2] + counts[3]).isZero();
        assertThat(counts[0] / 20_000.0).isCloseTo(0.5 / 0.8, Offset.offset(0.015));
        // p = 0.85: mass before token 2 is 0.8 < 0.85, so it stays; before token 3 is 0.95, so that one goes
        int[] wider = histogram(draw(params().temperature(1.0).topP(0.85).seed(3).build(), logits, 20_000), 4);
        assertThat(wider[2]).isPositive();
        assertThat(wider[3]).isZero();
        // a tiny p keeps just the most likely token
        int[] narrow = histogram(draw(params().temperature(1.0).topP(0.01).seed(3).build(), logits, 2000), 4);
        assertThat(narrow[0]).isEqualTo(2000);
    }

    @Test
    void plainGreedyPicksWhatTheFullScoringPicks() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            float[] logits = new float[50];
            for (int i = 0; i < logits.length; i++) {
                // few distinct values, so ties are common; some ids impossible
                logits[i] = random.nextInt(10) == 0 ? Float.NEGATIVE_INFINITY : random.nextInt(6) - 3f;
            }
            int spellable = 30 + random.nextInt(21);
            // logprobs take the path that widens every logit to double; without them greedy takes the plain argmax
            int full = new Sampler(params().logprobs(true).build(), new int[] {}, spellable).next(logits).tokenId();
            int plain = new Sampler(GenerationParameters.greedy(), new int[] {}, spellable).next(logits).tokenId();
            assertThat(plain).as("trial %d", trial).isEqualTo(full);
        }
    }

    @Test
    void nanLogitsAreAnEngineFailure() {
        Sampler s = new Sampler(GenerationParameters.greedy(), new int[] {});
        assertThatThrownBy(() -> s.next(new float[] {0f, Float.NaN})).hasMessageContaining("NaN");
        assertThatThrownBy(() -> s.next(new float[] {Float.NaN, 1f})).hasMessageContaining("at token id 0");
        assertThatThrownBy(() -> s.next(new float[] {1f, Float.NaN, 3f, Float.NaN})).hasMessageContaining("at token id 1");
        // beyond the ids the tokenizer can spell: never picked, still checked
        Sampler spellable = new Sampler(GenerationParameters.greedy(), new int[] {}, 2);
        assertThat(spellable.next(new float[] {1f, 2f, 9f}).tokenId()).isEqualTo(1);
        assertThatThrownBy(() -> spellable.next(new float[] {1f, 2f, Float.NaN})).hasMessageContaining("at token id 2");
        assertThat(s.next(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}).tokenId()).isZero();
    }

    static int[] draw(GenerationParameters p, float[] logits, int n) {
        Sampler s = new Sampler(p, new int[] {});
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.next(logits).tokenId();
        }
        return out;
    }

    static int[] histogram(int[] tokens, int vocab) {
        int[] counts = new int[vocab];
        for (int t : tokens) {
            counts[t]++;
        }
        return counts;
    }
}
