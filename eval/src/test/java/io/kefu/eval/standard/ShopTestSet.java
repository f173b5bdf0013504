package io.kefu.eval.standard;

import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.data.Split;
import io.kefu.shop.DialogGenerator;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopDialog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Held-out shop dialogs made by the real generator from the example catalog, as a plain in-memory dataset. */
record ShopTestSet(List<Example> examples) implements Dataset {
    static ShopTestSet generate(int count, long seed) {
        Path shop = Path.of(System.getProperty("kefu.repo.dir", ".")).resolve("examples/shop");
        ShopCatalog catalog = ShopCatalog.load(shop);
        DialogGenerator generator = new DialogGenerator(DialogGenerator.Config.builder().seed(seed).trainCount(1).testCount(count).build());
        List<Example> examples = new ArrayList<>();
        for (ShopDialog d : generator.generate(catalog).test()) {
            examples.add(d.toExample());
        }
        return new ShopTestSet(examples);
    }

    @Override
    public Dataset shuffle(long seed) {
        List<Example> copy = new ArrayList<>(examples);
        Collections.shuffle(copy, new Random(seed));
        return new ShopTestSet(copy);
    }

    @Override
    public Split split(double trainFraction, long seed) {
        int cut = (int) Math.round(examples.size() * trainFraction);
        return new Split(new ShopTestSet(examples.subList(0, cut)), new ShopTestSet(examples.subList(cut, examples.size())));
    }
}
