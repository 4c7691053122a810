package dev.signalbox.bench;

import dev.signalbox.testing.Api;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * An operator's POST, connected, written and read on the caller's own thread with a plain socket.
 *
 * <p>The halt scenario times a halt from the moment the operator sends it. The JDK's HttpClient
 * hands a request to threads of its own (its executor, its selector) before a byte is written, and
 * on a machine the benchmark keeps saturated those threads wait for a core like everything else: the
 * clock started before the request had left. An operator's client runs on the operator's machine.
 * Here the request is on the node's socket when {@code write} returns. One connection per request
 * ({@code Connection: close}), as the CLI makes.
 */
final class BlockingPost {

    private BlockingPost() {}

    static Api.Answer send(int port, String bearer, String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Authorization: Bearer " + bearer + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray()); // one write, one segment
            out.flush();
            return parse(socket.getInputStream().readAllBytes()); // the server closes after its answer
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("POST " + path + " to port " + port + " failed", e);
        }
    }

    /** Status line, headers, and the body (de-chunked when the server chunked it). */
    static Api.Answer parse(byte[] response) {
        String all = new String(response, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (end < 0) throw new IllegalStateException("no HTTP header in the answer: " + all);
        String[] lines = all.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        boolean chunked = false;
        boolean json = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].toLowerCase(Locale.ROOT);
            if (line.startsWith("transfer-encoding:") && line.contains("chunked")) chunked = true;
            if (line.startsWith("content-type:") && line.contains("json")) json = true;
        }
        String raw = all.substring(end + 4);
        String body = new String((chunked ? dechunk(raw) : raw).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        JsonNode tree = json && !body.isBlank() ? Api.JSON.readTree(body) : null;
        return new Api.Answer(status, tree, body);
    }

    private static String dechunk(String raw) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = raw.indexOf("\r\n", at);
            int size = Integer.parseInt(raw.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) return out.toString();
            out.append(raw, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
