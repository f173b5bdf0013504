package io.kefu.shop;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes up a whole shop from a seed: name, categories, products with prices, colours, sizes and
 * stock, promotions (some active on the given day, some not) and policies (which may refuse
 * invoices, cash on delivery or no-reason returns). Used to build the broad multi-shop corpus a
 * demo base model learns customer service from, without ever seeing the sample shop.
 * The same seed and day always give the same shop.
 */
public final class RandomShop {
    private static final List<String> NAME_HEADS = List.of("云朵", "青禾", "木槿", "初见", "南风", "拾光", "半夏", "星河",
            "小满", "晚晴", "鹿屿", "白桃", "知秋", "暖阳", "清欢", "橘子");
    private static final List<String> NAME_TAILS = List.of("服饰", "衣橱", "小铺", "优品", "工作室", "旗舰店", "生活馆", "衣社");

    private record Category(String name, String chart, List<String> items, List<String> sizes, int minPrice, int maxPrice) {
    }

    private static final List<Category> CATEGORIES = List.of(
            new Category("连衣裙", "women", List.of("连衣裙", "吊带裙", "衬衫裙", "针织裙"), List.of("S", "M", "L", "XL"), 99, 599),
            new Category("女士上衣", "women", List.of("衬衫", "T恤", "针织衫", "雪纺衫", "卫衣"), List.of("S", "M", "L", "XL"), 49, 399),
            new Category("女士外套", "women", List.of("风衣", "大衣", "西装外套", "羽绒服", "夹克"), List.of("S", "M", "L", "XL", "XXL"), 199, 1299),
            new Category("男士上衣", "men", List.of("T恤", "衬衫", "卫衣", "Polo衫", "毛衣"), List.of("M", "L", "XL", "XXL"), 59, 459),
            new Category("男士裤装", "men", List.of("休闲裤", "牛仔裤", "西裤", "运动裤"), List.of("M", "L", "XL", "XXL"), 89, 399),
            new Category("童装", "kids", List.of("套装", "卫衣", "连衣裙", "外套", "T恤"), List.of("100", "110", "120", "130", "140"), 39, 299),
            new Category("运动服", "unisex", List.of("速干T恤", "运动背心", "瑜伽裤", "运动外套"), List.of("S", "M", "L", "XL"), 59, 459),
            new Category("家居服", "unisex", List.of("睡衣套装", "睡裙", "家居裤", "晨袍"), List.of("S", "M", "L", "XL"), 59, 299));
    private static final List<String> ADJECTIVES = List.of("简约", "复古", "宽松", "修身", "法式", "韩版", "基础款", "百搭",
            "休闲", "通勤", "小清新", "加厚", "轻薄", "印花", "条纹", "纯色");
    private static final List<String> MATERIALS = List.of("棉95% 氨纶5%", "纯棉", "聚酯纤维", "棉60% 聚酯纤维40%",
            "亚麻55% 棉45%", "羊毛30% 聚酯纤维70%", "粘纤70% 锦纶30%", "莫代尔92% 氨纶8%", "锦纶85% 氨纶15%", "天丝65% 棉35%");
    private static final List<String> CARE = List.of("可机洗,不可漂白", "30℃以下手洗,平铺晾干", "建议干洗", "反面机洗,低温熨烫",
            "冷水手洗,不可暴晒", "40℃以下机洗,深浅色分开");
    private static final List<String> CARRIERS = List.of("中通快递", "圆通快递", "韵达快递", "申通快递", "顺丰速运", "京东快递", "极兔速递", "EMS");
    private static final List<List<String>> AREA_PLACES = List.of(
            List.of("上海", "杭州", "南京", "苏州", "江苏", "浙江"),
            List.of("广州", "深圳", "广东", "福建", "厦门"),
            List.of("北京", "天津", "河北"),
            List.of("成都", "重庆", "四川"));
    private static final List<String> AREA_NAMES = List.of("江浙沪", "广东福建", "京津冀", "川渝");
    private static final List<String> METHODS = List.of("微信支付", "支付宝", "花呗", "信用卡", "云闪付", "数字人民币");

    private RandomShop() {
    }

    /**
     * @param seed picks everything
     * @param day promotions are made relative to this day (most active on it, one already over)
     * @return a made-up shop whose id is {@code shop-<seed>}
     */
    public static ShopCatalog generate(long seed, LocalDate day) {
        // mixed first: java.util.Random's first draws for neighbouring seeds are nearly the same
        Random r = new Random(new java.util.SplittableRandom(seed).nextLong());
        String name = pick(NAME_HEADS, r) + pick(NAME_TAILS, r);
        List<Category> categories = new ArrayList<>(CATEGORIES);
        java.util.Collections.shuffle(categories, r);
        categories = categories.subList(0, 2 + r.nextInt(3));
        List<SizeChart> charts = new ArrayList<>();
        List<Product> products = new ArrayList<>();
        int productCount = 12 + r.nextInt(19);
        int firstId = 100 * (1 + r.nextInt(90));
        for (int i = 0; i < productCount; i++) {
            Category category = categories.get(i % categories.size());
            if (charts.stream().noneMatch(c -> c.id().equals(category.chart()))) {
                charts.add(chart(category, r));
            }
            products.add(product(Integer.toString(firstId + i + 1), category, r));
        }
        List<Promotion> promotions = promotions(categories, day, r);
        return new ShopCatalog("shop-" + seed, name, products, promotions, policies(r), charts);
    }

    private static SizeChart chart(Category category, Random r) {
        List<SizeChart.Row> rows = new ArrayList<>();
        List<String> sizes = new ArrayList<>(category.sizes());
        if (category.chart().equals("women") || category.chart().equals("unisex")) {
            sizes = List.of("S", "M", "L", "XL", "XXL");
        }
        int height = switch (category.chart()) {
            case "kids" -> 95;
            case "men" -> 160 + r.nextInt(6);
            default -> 148 + r.nextInt(5);
        };
        int weight = switch (category.chart()) {
            case "kids" -> 14;
            case "men" -> 50 + r.nextInt(5);
            default -> 38 + r.nextInt(5);
        };
        for (String size : sizes) {
            int heightSpan = category.chart().equals("kids") ? 9 : 4 + r.nextInt(3);
            int weightSpan = category.chart().equals("kids") ? 3 : 4 + r.nextInt(3);
            rows.add(new SizeChart.Row(size, height, height + heightSpan, weight, weight + weightSpan));
            height += heightSpan + 1;
            weight += weightSpan + 1;
        }
        String name = switch (category.chart()) {
            case "kids" -> "童装";
            case "men" -> "男装";
            case "women" -> "女装";
            default -> "通用";
        };
        return new SizeChart(category.chart(), name, rows);
    }

    private static Product product(String id, Category category, Random r) {
        String name = pick(ADJECTIVES, r) + pick(category.items(), r);
        int price = category.minPrice() + 10 * r.nextInt((category.maxPrice() - category.minPrice()) / 10 + 1);
        price = price / 10 * 10 + 9;
        List<String> colors = new ArrayList<>(GarmentVocabulary.COLOURS);
        java.util.Collections.shuffle(colors, r);
        colors = new ArrayList<>(colors.subList(0, 1 + r.nextInt(3)));
        List<String> sizes = category.sizes();
        Map<String, Map<String, Integer>> stock = new LinkedHashMap<>();
        for (String color : colors) {
            Map<String, Integer> bySize = new LinkedHashMap<>();
            for (String size : sizes) {
                double roll = r.nextDouble();
                bySize.put(size, roll < 0.2 ? 0 : roll < 0.4 ? 1 + r.nextInt(5) : 6 + r.nextInt(60));
            }
            stock.put(color, bySize);
        }
        int restock = List.of(0, 3, 5, 7, 10, 15).get(r.nextInt(6));
        return new Product(id, name, category.name(), price, sizes, colors, stock, pick(MATERIALS, r), pick(CARE, r),
                category.chart(), restock);
    }

    private static List<Promotion> promotions(List<Category> categories, LocalDate day, Random r) {
        List<Promotion> out = new ArrayList<>();
        int count = r.nextInt(5);
        for (int i = 0; i < count; i++) {
            boolean coupon = r.nextBoolean();
            int threshold = coupon && r.nextInt(3) == 0 ? 0 : 99 + 100 * r.nextInt(5);
            int amount = threshold == 0 ? 5 + 5 * r.nextInt(4) : 10 * (1 + r.nextInt(Math.max(1, threshold / 50)));
            if (threshold > 0) {
                amount = Math.min(amount, Math.max(5, threshold / 3));
            }
            LocalDate from = day.minusDays(r.nextInt(30));
            LocalDate to = day.plusDays(r.nextInt(45));
            if (i == count - 1 && r.nextBoolean()) {
                from = day.minusDays(60);
                to = day.minusDays(30);
            }
            List<String> scope = r.nextInt(4) == 0 ? List.of(categories.get(r.nextInt(categories.size())).name()) : List.of();
            out.add(new Promotion("P" + (i + 1), coupon ? PromotionType.COUPON : PromotionType.FULL_REDUCTION, threshold,
                    amount, from, to, scope, coupon ? pick(List.of("在商品页领取", "关注店铺后领取", "在店铺首页领取"), r) : "",
                    coupon && r.nextInt(3) == 0 ? "新客" : ""));
        }
        return out;
    }

    private static ShopPolicies policies(Random r) {
        List<String> carrierNames = new ArrayList<>(CARRIERS);
        java.util.Collections.shuffle(carrierNames, r);
        List<ShopPolicies.Carrier> carriers = new ArrayList<>();
        carriers.add(new ShopPolicies.Carrier(carrierNames.get(0), 0));
        if (r.nextInt(3) > 0) {
            carriers.add(new ShopPolicies.Carrier(carrierNames.get(1), 5 * (1 + r.nextInt(4))));
        }
        List<ShopPolicies.DeliveryArea> areas = new ArrayList<>();
        int home = r.nextInt(AREA_PLACES.size());
        areas.add(new ShopPolicies.DeliveryArea(AREA_NAMES.get(home), AREA_PLACES.get(home), "1-2"));
        if (r.nextBoolean()) {
            areas.add(new ShopPolicies.DeliveryArea("偏远地区", List.of("新疆", "西藏", "青海"), "5-7"));
        }
        boolean invoice = r.nextInt(4) > 0;
        List<String> methods = new ArrayList<>(METHODS);
        java.util.Collections.shuffle(methods, r);
        methods = new ArrayList<>(methods.subList(0, 2 + r.nextInt(3)));
        boolean cod = r.nextBoolean();
        int returnDays = List.of(0, 7, 7, 7, 15).get(r.nextInt(5));
        return new ShopPolicies(List.of(24, 48, 72).get(r.nextInt(3)), carriers, areas, List.of("2-4", "3-5", "3-6").get(r.nextInt(3)),
                new ShopPolicies.Invoice(invoice, invoice ? List.of(pick(List.of("电子普通发票", "纸质普通发票", "增值税专用发票"), r)) : List.of(),
                        invoice ? pick(List.of("确认收货后在订单页申请", "下单时填写抬头", "联系客服提供抬头"), r) : ""),
                new ShopPolicies.Payment(methods, cod, cod ? List.of(0, 0, 5, 10).get(r.nextInt(4)) : 0),
                new ShopPolicies.Returns(returnDays, returnDays == 0 ? "" : pick(List.of("吊牌完好、未洗涤", "不影响二次销售", "未穿着、包装完好"), r),
                        r.nextInt(3) > 0, r.nextBoolean()),
                pick(List.of("9:00-21:00", "8:30-22:00", "10:00-22:00", "9:00-24:00"), r));
    }

    private static <T> T pick(List<T> options, Random r) {
        return options.get(r.nextInt(options.size()));
    }
}
