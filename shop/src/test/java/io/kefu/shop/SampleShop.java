package io.kefu.shop;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the committed sample shop is (the repository root comes from the {@code kefu.repo.dir} property the build sets). */
public final class SampleShop {
    private SampleShop() {
    }

    /** @return {@code examples/shop} of this checkout */
    public static Path dir() {
        String root = System.getProperty("kefu.repo.dir");
        Path base = root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
        Path dir = base.resolve("examples").resolve("shop");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the sample shop is not at " + dir + "; run the tests through Maven");
        }
        return dir;
    }

    /** @return the loaded sample shop */
    public static ShopCatalog load() {
        return ShopCatalog.load(dir());
    }
}
