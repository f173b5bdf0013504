package io.kefu.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes made-up but realistic shop dialogs for benchmarks: Alpaca records (8 in 10, half with a
 * system prompt), OpenAI multi-turn records and ShareGPT records, each with an intent and a
 * strategy. Every dialog names its own product code, so none repeats another. The same seed
 * gives the same file.
 */
final class SyntheticDialogs {
    private static final String SYSTEM = "你是一家女装店的客服，语气亲切简短，称呼顾客为亲亲或宝子，不说绝对化用语。";
    private static final String[] PRODUCTS = {"连衣裙", "衬衫", "半身裙", "针织开衫", "阔腿裤", "风衣", "毛衣", "牛仔裤", "T恤", "羽绒服"};
    private static final String[] SIZES = {"S", "M", "L", "XL"};
    private static final String[] COLOURS = {"黑色", "白色", "酒红色", "雾霾蓝", "米色"};
    private static final String[] CARRIERS = {"顺丰", "中通", "圆通", "京东物流"};

    private final ObjectMapper mapper = Json.mapper();
    private final Random random;

    private SyntheticDialogs(long seed) {
        random = new Random(seed);
    }

    /** Writes {@code count} dialogs to {@code file} as JSONL. */
    static void write(Path file, int count, long seed) {
        SyntheticDialogs dialogs = new SyntheticDialogs(seed);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                out.write(dialogs.mapper.writeValueAsString(dialogs.record(i)));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot write the benchmark data: " + e.getMessage(), e);
        }
    }

    private ObjectNode record(int i) {
        String product = pick(PRODUCTS) + "K" + (10000 + i);
        String size = pick(SIZES);
        String colour = pick(COLOURS);
        String[] qa = switch (i % 8) {
            case 0 -> new String[] {"stock_size", "direct_answer", product + "的" + colour + size + "码还有货吗?",
                    "亲亲，" + product + colour + size + "码还有" + (1 + random.nextInt(30)) + "件哦，喜欢可以放心拍~"};
            case 1 -> {
                int height = 150 + random.nextInt(25);
                int weight = 80 + random.nextInt(60);
                yield new String[] {"size_advice", "direct_answer", "身高" + height + "体重" + weight + "斤，" + product + "穿什么码合适?",
                        "宝子，按您身高" + height + "、体重" + weight + "斤，" + product + "建议选" + size + "码，版型偏宽松，穿着刚好不紧绷~"};
            }
            case 2 -> new String[] {"delivery_time", "direct_answer", "现在下单" + product + "什么时候能到?",
                    "亲亲，16点前下单当天发货，默认" + pick(CARRIERS) + "，一般" + (2 + random.nextInt(3)) + "天左右送达哦~"};
            case 3 -> new String[] {"invoice", "direct_answer", "买了" + product + "可以开发票吗?",
                    "亲亲，可以开电子发票的，下单时填写抬头和税号，发货后24小时内发到您邮箱~"};
            case 4 -> new String[] {"returns", "reassure", product + "不合适可以退吗?",
                    "宝子放心，支持7天无理由退换，吊牌不拆、不影响二次销售就可以，还送运费险哦~"};
            case 5 -> new String[] {"promotion", "gentle_nudge", product + "现在有优惠吗?",
                    "亲亲，现在店铺满299减50，" + product + "叠加使用更划算，活动到月底结束哦~"};
            case 6 -> new String[] {"hesitation", "gentle_nudge", product + "我再考虑一下",
                    "好的亲亲，不着急~" + product + colour + "这个颜色很受欢迎，喜欢的话可以先加购物车，方便随时下单哦"};
            default -> new String[] {"order_status", "ask_detail", "我买的" + product + "到哪了? 订单号" + (800000 + i),
                    "亲亲，订单" + (800000 + i) + "已经由" + pick(CARRIERS) + "揽收，预计明天送达，请留意查收哦~"};
        };
        ObjectNode record = mapper.createObjectNode();
        switch (i % 10) {
            case 8 -> {
                ArrayNode messages = record.putArray("messages");
                messages.addObject().put("role", "system").put("content", SYSTEM);
                messages.addObject().put("role", "user").put("content", "在吗?");
                messages.addObject().put("role", "assistant").put("content", "在的亲亲，请问有什么可以帮您?");
                messages.addObject().put("role", "user").put("content", qa[2]);
                messages.addObject().put("role", "assistant").put("content", qa[3]);
            }
            case 9 -> {
                ArrayNode conversations = record.putArray("conversations");
                conversations.addObject().put("from", "human").put("value", qa[2]);
                conversations.addObject().put("from", "gpt").put("value", qa[3]);
            }
            default -> {
                record.put("instruction", qa[2]);
                record.put("input", "");
                record.put("output", qa[3]);
                if (i % 2 == 0) {
                    record.put("system", SYSTEM);
                }
            }
        }
        record.put("intent", qa[0]);
        record.put("strategy", qa[1]);
        record.put("id", "bench-" + i);
        return record;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
