package io.kefu.shop.rules;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.GarmentVocabulary;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Role;
import io.kefu.shop.BoundedNumbers;
import io.kefu.shop.ShopPrompt;
import io.kefu.shop.checks.FactsText;
import io.kefu.runtime.generate.CompletedChatStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control arm: a keyword-and-template customer-service bot of the kind shops ran before
 * language models. It finds the intent by keywords in the question and fills a template from the
 * facts the request carries ({@link FactsText#of(ChatRequest)}); whatever it does not recognise goes
 * to a person.
 * Deterministic, thread-safe and free of native resources.
 */
public final class RulesChatModel implements io.kefu.chat.ChatModel {
    /** The id reported by {@link #info()}. */
    public static final String ID = "rules";

    private static final Pattern HEIGHT = Pattern.compile("(1[4-9]\\d)\\s*(?:cm|厘米|公分)?");
    private static final Pattern SIZE_CHART_ROW = Pattern.compile("([A-Z0-9]+) (\\d+)-(\\d+)cm");

    /** Intents in the order they are tried, with their keywords. */
    private static final List<Map.Entry<String, Pattern>> RULES = List.of(
            Map.entry("human_request", Pattern.compile("人工|真人|客服专员|转接")),
            Map.entry("complaint", Pattern.compile("投诉|差评|质量问题|破了|破损|退款不|太差|骗|生气")),
            Map.entry("size_advice", Pattern.compile("身高|体重|穿什么码|选什么码|哪个码|偏大|偏小|尺码推荐")),
            Map.entry("stock_size", Pattern.compile("有货|库存|还有吗|有没有|码还有|缺货|断码")),
            Map.entry("promotion", Pattern.compile("优惠|券|便宜|活动|满减|打折|折扣|降价|价格|多少钱")),
            Map.entry("returns", Pattern.compile("退|换|运费险|售后")),
            Map.entry("hesitation", Pattern.compile("犹豫|考虑|再看看|不确定|纠结|怕不合适|值得")),
            Map.entry("delivery_time", Pattern.compile("发货|快递|物流|几天到|到货|包邮|顺丰")),
            Map.entry("payment_cod", Pattern.compile("货到付款|付款|支付|花呗")),
            Map.entry("invoice", Pattern.compile("发票")),
            Map.entry("material_care", Pattern.compile("材质|面料|洗|起球|缩水|成分")),
            Map.entry("order_status", Pattern.compile("订单|单号|到哪了")));

    private final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public ChatResponse chat(ChatRequest request) {
        ensureOpen();
        long start = System.nanoTime();
        String answer = answer(request);
        return ChatResponse.ofText(answer, Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return CompletedChatStream.of(chat(request));
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(ID, ID, List.of());
    }

    @Override
    public void close() {
        closed.set(true);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "the rules model is closed");
        }
    }

    /** @return the intent the keywords point to, or {@code out_of_scope} */
    public static String intentOf(String question) {
        for (Map.Entry<String, Pattern> rule : RULES) {
            if (rule.getValue().matcher(question).find()) {
                return rule.getKey();
            }
        }
        return "out_of_scope";
    }

    static String answer(ChatRequest request) {
        String user = "";
        for (ChatMessage m : request.messages()) {
            if (m.role() == Role.USER) {
                user = m.content();
            }
        }
        int header = user.indexOf(FactsText.HEADER);
        String question = request.metadata().getOrDefault(ShopPrompt.QUESTION,
                header >= 0 ? user.substring(0, header) : user).trim();
        FactsText facts = FactsText.of(request).orElse(null);
        String intent = intentOf(question);
        if (facts == null && !intent.equals("human_request") && !intent.equals("complaint")) {
            return handoff();
        }
        return switch (intent) {
            case "human_request" -> "您好,马上为您转接人工客服,请稍等。";
            case "complaint" -> "非常抱歉给您带来不好的体验,马上为您转接人工客服处理。";
            case "stock_size" -> stock(question, facts);
            case "size_advice" -> sizeAdvice(question, facts);
            case "promotion" -> promotion(facts);
            case "returns", "hesitation" -> line(facts, "售后").map(s -> "您好,本店" + s.replace(";", ",") + ",可以放心购买。")
                    .orElse(handoff());
            case "delivery_time" -> line(facts, "发货").map(s -> "您好," + s.replace(";", ",") + "。"
                    + line(facts, "时效").map(t -> "预计" + t.replace(";", ",") + "送达。").orElse("")).orElse(handoff());
            case "payment_cod" -> line(facts, "付款").map(s -> "您好,支持" + s.replace(";", ",") + "。").orElse(handoff());
            case "invoice" -> line(facts, "发票").map(s -> "您好,发票:" + s + "。").orElse(handoff());
            case "material_care" -> line(facts, "材质").map(s -> "您好,材质:" + s.replace(";", ",") + "。").orElse(handoff());
            default -> handoff();
        };
    }

    private static String handoff() {
        return "您好,这个问题我帮您转接人工客服处理,请稍等。";
    }

    private static java.util.Optional<String> line(FactsText facts, String key) {
        for (String l : facts.text().split("\n")) {
            if (l.startsWith(key + ":") || l.startsWith(key + "：")) {
                return java.util.Optional.of(l.substring(key.length() + 1).trim());
            }
        }
        return java.util.Optional.empty();
    }

    private static String stock(String question, FactsText facts) {
        java.util.Optional<String> size = GarmentVocabulary.firstSize(question);
        if (facts.stock().isEmpty() || size.isEmpty()) {
            return line(facts, "库存").map(s -> "您好,目前库存:" + s + "。").orElse(handoff());
        }
        String s = size.get();
        List<String> inStock = new ArrayList<>();
        List<String> outOfStock = new ArrayList<>();
        facts.stock().forEach((colour, sizes) -> {
            Integer units = sizes.get(s);
            if (units != null && units > 0) {
                inStock.add(colour + s + "码有货,还有" + units + "件");
            } else if (units != null) {
                outOfStock.add(colour + s + "码暂时缺货");
            }
        });
        if (inStock.isEmpty() && outOfStock.isEmpty()) {
            return "您好,这款没有" + s + "码哦,可选尺码:" + String.join("、", facts.sizes()) + "。";
        }
        List<String> parts = new ArrayList<>(inStock);
        parts.addAll(outOfStock);
        return "您好," + String.join(",", parts) + "。";
    }

    private static String sizeAdvice(String question, FactsText facts) {
        Matcher h = HEIGHT.matcher(question);
        java.util.Optional<String> chart = line(facts, "尺码表");
        if (h.find() && chart.isPresent()) {
            int height = Integer.parseInt(h.group(1)); // three digits, 140-199, by the pattern
            Matcher row = SIZE_CHART_ROW.matcher(chart.get());
            while (row.find()) {
                OptionalInt from = BoundedNumbers.integer(row.group(2));
                OptionalInt to = BoundedNumbers.integer(row.group(3));
                if (from.isPresent() && to.isPresent() && height >= from.getAsInt() && height <= to.getAsInt()) {
                    return "您好,身高" + height + "cm建议选" + row.group(1) + "码。";
                }
            }
        }
        return handoff();
    }

    private static String promotion(FactsText facts) {
        StringBuilder sb = new StringBuilder("您好,");
        if (facts.price() > 0) {
            sb.append("这款").append(facts.price() == Math.rint(facts.price()) ? String.valueOf((long) facts.price()) : facts.price()).append("元");
        }
        java.util.Optional<String> activity = line(facts, "活动");
        if (activity.isPresent() && !activity.get().equals("暂无")) {
            sb.append(sb.length() > 3 ? "," : "").append("当前活动:").append(activity.get().replaceAll("[(（][^)）]*[)）]", "").replace(";", "、"));
        } else {
            sb.append(sb.length() > 3 ? "," : "").append("目前没有其他活动");
        }
        return sb.append("。").toString();
    }
}
