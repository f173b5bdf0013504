package io.kefu.notebook;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import io.github.spencerpark.jupyter.kernel.ExpressionValue;
import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.KernelTimestamp;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.ReplyType;
import io.github.spencerpark.jupyter.messages.adapters.ExpressionValueAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HeaderAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HistoryEntryAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HistoryRequestAdapter;
import io.github.spencerpark.jupyter.messages.adapters.KernelTimestampAdapter;
import io.github.spencerpark.jupyter.messages.adapters.MessageTypeAdapter;
import io.github.spencerpark.jupyter.messages.adapters.PublishStatusAdapter;
import io.github.spencerpark.jupyter.messages.adapters.ReplyTypeAdapter;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.zeromq.ZMQ;

/**
 * Reads one Jupyter message off a socket, verifies its signature and only then decodes it. The wire
 * format: routing identities, the {@code <IDS|MSG>} delimiter, the signature, then the header,
 * parent header, metadata and content (JSON, the four signed parts), then any binary buffers.
 */
final class MessageReader {
    private static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
    private static final Type METADATA = new TypeToken<Map<String, Object>>() {}.getType();
    /** Registered with the same adapters as the base library's reader, so messages decode alike. */
    private static final Gson GSON = gson();

    private final SignatureVerifier verifier;

    MessageReader(SignatureVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * Reads all frames of the next message (blocking) and decodes them.
     *
     * @throws SecurityException if the signature does not match
     * @throws IllegalArgumentException if the frames are not a Jupyter message
     */
    Message<?> read(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        do {
            frames.add(socket.recv());
        } while (socket.hasReceiveMore());
        return decode(frames);
    }

    /** {@link #read} for frames already received. */
    Message<?> decode(List<byte[]> frames) {
        int delimiter = indexOfDelimiter(frames);
        if (delimiter < 0 || frames.size() < delimiter + 6) {
            throw new IllegalArgumentException("not a Jupyter message: " + frames.size() + " frames"
                    + (delimiter < 0 ? " and no <IDS|MSG> delimiter" : ""));
        }
        byte[] signature = frames.get(delimiter + 1);
        byte[] header = frames.get(delimiter + 2);
        byte[] parent = frames.get(delimiter + 3);
        byte[] metadata = frames.get(delimiter + 4);
        byte[] content = frames.get(delimiter + 5);
        if (!verifier.verifies(signature, header, parent, metadata, content)) {
            throw new SecurityException("message with an invalid signature dropped");
        }
        return message(frames.subList(0, delimiter), header, parent, metadata, content,
                frames.subList(delimiter + 6, frames.size()));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Message<?> message(List<byte[]> identities, byte[] headerJson, byte[] parentJson,
            byte[] metadataJson, byte[] contentJson, List<byte[]> buffers) {
        Header header = GSON.fromJson(utf8(headerJson), Header.class);
        JsonElement parent = JsonParser.parseString(utf8(parentJson));
        Header parentHeader = parent.isJsonObject() && parent.getAsJsonObject().size() > 0
                ? GSON.fromJson(parent, Header.class)
                : null;
        Map<String, Object> metadata = GSON.fromJson(utf8(metadataJson), METADATA);
        Object content = GSON.fromJson(utf8(contentJson), header.getType().getContentType());
        if (content instanceof ErrorReply) {
            // a reply whose status is "error": the handler sees the error variant of its type
            header = new Header(header.getId(), header.getUsername(), header.getSessionId(), header.getTimestamp(),
                    header.getType().error(), header.getVersion());
        }
        return new Message(new ArrayList<>(identities), header, parentHeader, metadata, content,
                new ArrayList<>(buffers));
    }

    private static int indexOfDelimiter(List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(DELIMITER, frames.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Gson gson() {
        Gson replies = new GsonBuilder()
                .registerTypeAdapter(HistoryEntry.class, HistoryEntryAdapter.INSTANCE)
                .registerTypeAdapter(ExpressionValue.class, ExpressionValueAdapter.INSTANCE)
                .create();
        return new GsonBuilder()
                .registerTypeAdapter(KernelTimestamp.class, KernelTimestampAdapter.INSTANCE)
                .registerTypeAdapter(Header.class, HeaderAdapter.INSTANCE)
                .registerTypeAdapter(MessageType.class, MessageTypeAdapter.INSTANCE)
                .registerTypeAdapter(PublishStatus.class, PublishStatusAdapter.INSTANCE)
                .registerTypeAdapter(HistoryRequest.class, HistoryRequestAdapter.INSTANCE)
                .registerTypeHierarchyAdapter(ReplyType.class, new ReplyTypeAdapter(replies))
                .create();
    }
}
