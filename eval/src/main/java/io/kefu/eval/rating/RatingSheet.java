package io.kefu.eval.rating;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.csv.CsvTable;
import io.kefu.runtime.format.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A blind rating sheet: for every item the question, the facts and the answers under neutral
 * labels (A, B, C ...) in a seeded random order, with empty 1-5 columns for correctness,
 * helpfulness and tone. {@link #export} writes {@code sheet.csv} (to fill in), {@code sheet.html}
 * (to read) and {@code key.csv} (label to system; keep it away from the raters).
 */
public final class RatingSheet {
    /** The rated criteria, in sheet order. */
    public static final List<String> CRITERIA = List.of("correctness", "helpfulness", "tone");
    /** Columns of {@code sheet.csv}. */
    public static final List<String> SHEET_COLUMNS = List.of("item", "label", "question", "facts", "answer",
            "correctness", "helpfulness", "tone", "comment");

    private RatingSheet() {
    }

    /**
     * @param items the items; each must have the same systems
     * @param seed shuffles the answer order per item
     * @param directory receives sheet.csv, sheet.html and key.csv
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when there are no items or an item has no answers
     */
    public static void export(List<RatingItem> items, long seed, Path directory) {
        if (items.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "nothing to rate: no items");
        }
        Random random = new Random(seed);
        List<List<String>> sheet = new ArrayList<>();
        List<List<String>> key = new ArrayList<>();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Rating sheet</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}section{border-top:1px solid #ccc;padding:1em 0}")
                .append(".facts{white-space:pre-wrap;background:#f6f6f6;padding:.5em}.answer{margin:.5em 0;padding:.5em;border-left:4px solid #4a90d9}</style>\n")
                .append("</head><body>\n<h1>Rating sheet</h1>\n<p>Score each answer from 1 (bad) to 5 (excellent) on correctness (agrees with the facts), ")
                .append("helpfulness (answers the question, moves the customer forward) and tone (polite, natural, not pushy). ")
                .append("Enter the scores in sheet.csv.</p>\n");
        for (RatingItem item : items) {
            if (item.answers().isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "item " + item.id() + " has no answers");
            }
            List<String> systems = new ArrayList<>(item.answers().keySet());
            Collections.shuffle(systems, random);
            html.append("<section><h2>").append(escape(item.id())).append("</h2>\n<p><b>Question:</b> ")
                    .append(escape(item.question())).append("</p>\n<div class=\"facts\">").append(escape(item.facts())).append("</div>\n");
            for (int i = 0; i < systems.size(); i++) {
                String label = String.valueOf((char) ('A' + i));
                String system = systems.get(i);
                sheet.add(List.of(item.id(), label, item.question(), item.facts(), item.answers().get(system), "", "", "", ""));
                key.add(List.of(item.id(), label, system));
                html.append("<div class=\"answer\"><b>").append(label).append(":</b> ").append(escape(item.answers().get(system))).append("</div>\n");
            }
            html.append("</section>\n");
        }
        html.append("</body></html>\n");
        // a byte-order mark so that spreadsheet programs open the Chinese text as UTF-8
        AtomicFiles.writeString(directory.resolve("sheet.csv"), "\uFEFF" + CsvTable.format(SHEET_COLUMNS, sheet));
        AtomicFiles.writeString(directory.resolve("key.csv"), CsvTable.format(List.of("item", "label", "system"), key));
        AtomicFiles.writeString(directory.resolve("sheet.html"), html.toString());
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
