package io.kefu.runtime.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Streams the raw records of a JSON array file or a JSONL file, one at a time, in bounded memory.
 * A file named {@code *.jsonl} or {@code *.ndjson} is JSONL; any other file is recognised by its
 * content: a JSON array when its first non-blank character is {@code [}, JSONL otherwise.
 */
abstract class RecordSource implements AutoCloseable {
    private static final int PEEK_LIMIT = 64 * 1024;

    /** The name used in problems. */
    protected final String file;

    protected RecordSource(String file) {
        this.file = file;
    }

    /**
     * @param path the file to read
     * @param name how the file is named in problems (usually {@code path.toString()})
     * @throws KefuException {@link ErrorCode#NOT_FOUND} if the file does not exist,
     *     {@link ErrorCode#IO} if it cannot be read
     */
    static RecordSource open(Path path, String name) {
        if (Files.isDirectory(path)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, name + ": is a directory; expected a .json or .jsonl file");
        }
        InputStream in;
        try {
            in = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, name + ": file not found");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, name + ": cannot read: " + e.getMessage(), e);
        }
        try {
            CheckedUtf8Reader utf8 = new CheckedUtf8Reader(in);
            BufferedReader reader = new BufferedReader(utf8, PEEK_LIMIT + 1);
            String fileName = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            boolean jsonl = fileName.endsWith(".jsonl") || fileName.endsWith(".ndjson");
            boolean array = !jsonl && startsWithBracket(reader);
            return array ? new JsonArrayRecordSource(name, utf8, reader) : new JsonlRecordSource(name, utf8, reader);
        } catch (IOException e) {
            closeQuietly(in);
            throw new KefuException(ErrorCode.IO, name + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static boolean startsWithBracket(BufferedReader reader) throws IOException {
        reader.mark(PEEK_LIMIT);
        try {
            for (int i = 0; i < PEEK_LIMIT; i++) {
                int c = reader.read();
                if (c < 0) {
                    return false;
                }
                if (!Character.isWhitespace(c)) {
                    return c == '[';
                }
            }
            return false;
        } finally {
            reader.reset();
        }
    }

    /**
     * @return the next record or problem, or null at the end of the file
     * @throws KefuException {@link ErrorCode#IO} if reading fails
     */
    abstract SourceRecord next();

    /** Closes the file; read failures surface as {@link ErrorCode#IO}. */
    @Override
    public abstract void close();

    /** @return true for a JSON array file, false for JSONL */
    abstract boolean isArray();

    protected Problem problem(long line, String field, String reason) {
        return new Problem(file, line, field, reason);
    }

    protected static String invalidUtf8(CheckedUtf8Reader.Malformed bad) {
        return "invalid UTF-8 at column " + bad.column() + " (bytes " + bad.bytes()
                + "); save the file as UTF-8";
    }

    protected KefuException readFailure(IOException e) {
        return new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the read failure is what gets reported
        }
    }
}
