package io.kefu.shop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an answer against its prompt by reading the rendered facts TEXT (not the catalog objects
 * the answer was made from), so the checks are independent of the generator's code paths.
 * Each check returns a list of problems; empty means the answer agrees with its facts.
 */
public final class FactChecks {
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final Pattern SIZE_THEN_LIST = Pattern.compile("(?<![A-Z])(XXL|XL|S|M|L|\\d{3})码([^~。!?]*)");
    private static final Pattern PROMO = Pattern.compile("满\\d+减\\d+券?|无门槛\\d+元券");

    private FactChecks() {
    }

    /** @return problems with {@code output} given its question and rendered facts */
    public static List<String> check(String instruction, String input, String output) {
        List<String> problems = new ArrayList<>();
        Set<Integer> known = numbers(instruction + "\n" + input);
        for (int n : numbersInOrder(output)) {
            if (!known.contains(n)) {
                problems.add("number " + n + " is in neither the question nor the facts");
            }
        }
        Map<String, Map<String, Integer>> stock = stock(input);
        if (!stock.isEmpty()) {
            Set<String> sizes = new HashSet<>();
            stock.values().forEach(m -> sizes.addAll(m.keySet()));
            Matcher sized = Pattern.compile("(XXL|XL|S|M|L|\\d{3})码").matcher(output);
            while (sized.find()) {
                if (!sizes.contains(sized.group(1))) {
                    problems.add("size " + sized.group(1) + " is not one of the product's sizes " + sizes);
                }
            }
            for (String color : stock.keySet()) {
                for (String size : stock.get(color).keySet()) {
                    int units = stock.get(color).get(size);
                    Matcher m = Pattern.compile(Pattern.quote(color + size) + "码[^,。~!?]*?(?:还有|只剩)(\\d+)件").matcher(output);
                    while (m.find()) {
                        if (Integer.parseInt(m.group(1)) != units) {
                            problems.add(color + size + " has " + units + " in stock, the answer says " + m.group(1));
                        }
                    }
                    if (output.contains(color + size + "码暂时缺货") && units != 0) {
                        problems.add(color + size + " is said to be sold out but has " + units);
                    }
                }
            }
        }
        // "S码米白还有12件,雾蓝暂时缺货": a size, then per colour its stock
        Matcher list = SIZE_THEN_LIST.matcher(output);
        while (list.find()) {
            String size = list.group(1);
            for (String part : list.group(2).split(",")) {
                for (String color : stock.keySet()) {
                    if (!part.startsWith(color) || !stock.get(color).containsKey(size)) {
                        continue;
                    }
                    String rest = part.substring(color.length());
                    int units = stock.get(color).get(size);
                    Matcher n = Pattern.compile("^还有(\\d+)件$").matcher(rest);
                    if (n.find() && Integer.parseInt(n.group(1)) != units) {
                        problems.add(size + " in " + color + " has " + units + ", the answer says " + rest);
                    }
                    if (rest.equals("暂时缺货") && units != 0) {
                        problems.add(size + " in " + color + " is said to be sold out but has " + units);
                    }
                }
            }
        }
        Matcher promos = PROMO.matcher(output);
        String offers = line(input, "活动:");
        while (promos.find()) {
            if (!offers.contains(promos.group())) {
                problems.add("promotion " + promos.group() + " is not active in the facts: " + offers);
            }
        }
        return problems;
    }

    /** @return the size the rendered size chart recommends for a height and weight (larger when they disagree), or null */
    public static String recommendedSize(String input, int height, int weight) {
        String chart = line(input, "尺码表:");
        Matcher row = Pattern.compile("(XXL|XL|S|M|L|\\d{3}) (\\d+)-(\\d+)cm (\\d+)-(\\d+)kg").matcher(chart);
        List<String> sizes = new ArrayList<>();
        int byHeight = -1;
        int byWeight = -1;
        while (row.find()) {
            int i = sizes.size();
            sizes.add(row.group(1));
            if (byHeight < 0 && height >= Integer.parseInt(row.group(2)) && height <= Integer.parseInt(row.group(3))) {
                byHeight = i;
            }
            if (byWeight < 0 && weight >= Integer.parseInt(row.group(4)) && weight <= Integer.parseInt(row.group(5))) {
                byWeight = i;
            }
        }
        return byHeight < 0 || byWeight < 0 ? null : sizes.get(Math.max(byHeight, byWeight));
    }

    /** @return stock per colour and size, parsed from the facts' 库存 line */
    public static Map<String, Map<String, Integer>> stock(String input) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        String line = line(input, "库存:");
        if (line.isEmpty()) {
            return out;
        }
        for (String part : line.split(";")) {
            String[] tokens = part.split(" ");
            Map<String, Integer> bySize = new HashMap<>();
            for (int i = 1; i < tokens.length; i++) {
                String[] kv = tokens[i].split("=");
                bySize.put(kv[0], Integer.parseInt(kv[1]));
            }
            out.put(tokens[0], bySize);
        }
        return out;
    }

    static String line(String input, String prefix) {
        for (String line : input.split("\n")) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        return "";
    }

    private static Set<Integer> numbers(String text) {
        return new HashSet<>(numbersInOrder(text));
    }

    private static List<Integer> numbersInOrder(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            out.add(Integer.parseInt(m.group()));
        }
        return out;
    }
}
