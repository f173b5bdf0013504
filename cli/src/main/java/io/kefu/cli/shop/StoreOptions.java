package io.kefu.cli.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.server.store.Database;
import io.kefu.server.store.StoreUnavailableException;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Which store a {@code kefu shop} command works on: {@code --store}, else the H2 file under {@code --data-dir}, as {@code kefu serve} picks it. */
final class StoreOptions {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.kefu",
            description = "Kefu's data folder, whose store/ is the default store (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--store", paramLabel = "JDBC_URL", description = "jdbc:h2:... or jdbc:postgresql://... (default: an H2 file in DATA_DIR/store).")
    String store;

    /** @return the store, opened and migrated; close it */
    Database open() {
        String url = store != null ? store : Database.h2Url(dataDir.resolve("store"));
        try {
            return Database.open(url);
        } catch (StoreUnavailableException e) {
            if (url.startsWith("jdbc:h2:file:")) {
                throw new KefuException(ErrorCode.IO, e.getMessage() + "\n  An H2 store file is open to one process at a time: if a kefu serve"
                        + " uses it, change its shop through the server's admin API (PUT /admin/products/{id} ...), or keep the store"
                        + " in PostgreSQL.", e);
            }
            throw e;
        }
    }
}
