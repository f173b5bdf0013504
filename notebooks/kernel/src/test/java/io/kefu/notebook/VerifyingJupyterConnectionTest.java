package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.MessageType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Sends messages over real ZeroMQ DEALER sockets to the kernel's shell, control and stdin ports and
 * checks which ones are used: only those whose signature is right.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VerifyingJupyterConnectionTest {
    private static final String KEY = "a0436f6c-1916-498b-8eb9-e81ab9368e84";

    private final List<String> handled = new CopyOnWriteArrayList<>();
    private KernelConnectionProperties properties;
    private VerifyingJupyterConnection connection;
    private ZContext client;

    @BeforeEach
    void connect() throws Exception {
        properties = new KernelConnectionProperties("127.0.0.1", freePort(), freePort(), freePort(), freePort(),
                freePort(), "tcp", "hmac-sha256", KEY);
        connection = new VerifyingJupyterConnection(properties);
        connection.setHandler(MessageType.KERNEL_INFO_REQUEST, (env, message) -> handled.add(message.getHeader().getId()));
        connection.connect();
        client = new ZContext();
    }

    @AfterEach
    void close() {
        client.close();
        connection.close();
    }

    @Test
    void shellDispatchesOnlyCorrectlySignedRequests() throws Exception {
        sendAndCheck(properties.getShellPort());
    }

    @Test
    void controlDispatchesOnlyCorrectlySignedRequests() throws Exception {
        sendAndCheck(properties.getControlPort());
    }

    @Test
    void stdinAcceptsOnlyCorrectlySignedInputReplies() throws Exception {
        List<String> inputs = new CopyOnWriteArrayList<>();
        connection.setHandler(MessageType.EXECUTE_REQUEST, (env, message) -> {
            try {
                inputs.add(env.readFromStdIn("name? ").strip());
            } catch (SecurityException e) {
                inputs.add("refused");
            }
        });
        // the kernel asks for input over stdin, addressed to the identity that sent the request
        ZMQ.Socket shell = client.createSocket(SocketType.DEALER);
        ZMQ.Socket stdin = client.createSocket(SocketType.DEALER);
        shell.setIdentity(utf8("front-end"));
        stdin.setIdentity(utf8("front-end"));
        stdin.connect("tcp://127.0.0.1:" + properties.getStdinPort());
        shell.connect("tcp://127.0.0.1:" + properties.getShellPort());
        Thread.sleep(500); // lets the stdin connection finish its handshake, or the kernel's request is dropped

        String execute = "{\"code\": \"\", \"silent\": false, \"store_history\": false, \"user_expressions\": {},"
                + " \"allow_stdin\": true, \"stop_on_error\": true}";
        String reply = "{\"value\": \"Ada\"}";
        send(shell, "execute_request", "e1", execute, signature -> signature);
        assertThat(receive(stdin)).contains("input_request");
        send(stdin, "input_reply", "r1", reply, signature -> flip(signature, signature.length() - 1));
        send(shell, "execute_request", "e2", execute, signature -> signature);
        assertThat(receive(stdin)).contains("input_request");
        send(stdin, "input_reply", "r2", reply, signature -> signature);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inputs.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(inputs).containsExactly("refused", "Ada");
    }

    /** The header of the next message on {@code socket}, waiting up to 30 s. */
    private static String receive(ZMQ.Socket socket) {
        socket.setReceiveTimeOut(30_000);
        List<String> frames = new java.util.ArrayList<>();
        do {
            byte[] frame = socket.recv();
            assertThat(frame).as("a message within 30 s").isNotNull();
            frames.add(new String(frame, StandardCharsets.UTF_8));
        } while (socket.hasReceiveMore());
        return frames.get(frames.indexOf("<IDS|MSG>") + 2);
    }

    private void sendAndCheck(int port) throws Exception {
        ZMQ.Socket dealer = client.createSocket(SocketType.DEALER);
        dealer.connect("tcp://127.0.0.1:" + port);
        send(dealer, "first-digit-wrong", signature -> flip(signature, 0));
        send(dealer, "last-digit-wrong", signature -> flip(signature, signature.length() - 1));
        send(dealer, "unsigned", signature -> "");
        send(dealer, "signed", signature -> signature);
        send(dealer, "upper-case", String::toUpperCase);
        send(dealer, "signed-again", signature -> signature);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (handled.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        // requests on one connection are served in order: the bad ones were read and dropped
        assertThat(handled).containsExactly("signed", "signed-again");
    }

    private static void send(ZMQ.Socket dealer, String id, UnaryOperator<String> signing) throws Exception {
        send(dealer, "kernel_info_request", id, "{}", signing);
    }

    private static void send(ZMQ.Socket dealer, String type, String id, String contentJson,
            UnaryOperator<String> signing) throws Exception {
        byte[] header = utf8("{\"msg_id\": \"" + id + "\", \"username\": \"test\", \"session\": \"s1\","
                + " \"date\": \"2024-01-01T00:00:00.000000Z\", \"msg_type\": \"" + type + "\", \"version\": \"5.3\"}");
        byte[] parent = utf8("{}");
        byte[] metadata = utf8("{}");
        byte[] content = utf8(contentJson);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        for (byte[] part : new byte[][] {header, parent, metadata, content}) {
            mac.update(part);
        }
        String signature = signing.apply(HexFormat.of().formatHex(mac.doFinal()));
        dealer.sendMore("<IDS|MSG>");
        dealer.sendMore(signature);
        dealer.sendMore(header);
        dealer.sendMore(parent);
        dealer.sendMore(metadata);
        dealer.send(content);
    }

    /** The signature with one hex digit changed to another hex digit. */
    private static String flip(String signature, int index) {
        char digit = signature.charAt(index);
        char other = digit == '0' ? '1' : '0';
        return signature.substring(0, index) + other + signature.substring(index + 1);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
