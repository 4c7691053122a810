package dev.signalbox.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal SMTP server that accepts every message and only counts it: the receiving side of the
 * email benchmark, cheap enough that it does not compete with the app for the CPU. It remembers
 * each message's X-Signalbox-Delivery header, so the harness can check that every delivery
 * arrived exactly once, and the wall-clock time of the last acceptance.
 */
final class SmtpSink implements AutoCloseable {

    private static final byte[] DELIVERY_HEADER = "x-signalbox-delivery:".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicLong lastAcceptedMillis = new AtomicLong();
    private final Set<String> deliveries = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLongArray acceptedAt;

    /** {@code expected}: how many messages to keep the acceptance time of (the k-th message's time, for rates between two points). */
    SmtpSink(int expected) {
        acceptedAt = new java.util.concurrent.atomic.AtomicLongArray(expected);
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("smtp-sink").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    int distinct() {
        return deliveries.size();
    }

    int connections() {
        return connections.get();
    }

    /** When the k-th message (1-based) was accepted, in epoch milliseconds; 0 if not (yet). */
    long acceptedAtMillis(int k) {
        return k >= 1 && k <= acceptedAt.length() ? acceptedAt.get(k - 1) : 0;
    }

    long lastAcceptedMillis() {
        return lastAcceptedMillis.get();
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192)) {
            reply(out, "220 sink ESMTP ready");
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            while (readLine(in, line)) {
                String command = line.toString(StandardCharsets.US_ASCII).toUpperCase(java.util.Locale.ROOT);
                if (command.startsWith("EHLO")) reply(out, "250-sink\r\n250 8BITMIME");
                else if (command.startsWith("DATA")) {
                    reply(out, "354 go ahead");
                    String delivery = null;
                    boolean headers = true;
                    while (readLine(in, line)) {
                        if (line.size() == 1 && line.toByteArray()[0] == '.') break;
                        if (headers) {
                            if (line.size() == 0) headers = false;
                            else if (delivery == null && startsWithIgnoreCase(line.toByteArray(), DELIVERY_HEADER)) {
                                delivery = line.toString(StandardCharsets.US_ASCII).substring(DELIVERY_HEADER.length).strip();
                            }
                        }
                    }
                    int k = accepted.incrementAndGet();
                    if (k <= acceptedAt.length()) acceptedAt.set(k - 1, System.currentTimeMillis());
                    if (delivery != null && !deliveries.add(delivery)) duplicates.incrementAndGet();
                    lastAcceptedMillis.accumulateAndGet(System.currentTimeMillis(), Math::max);
                    reply(out, "250 2.0.0 queued");
                } else if (command.startsWith("QUIT")) {
                    reply(out, "221 bye");
                    return;
                } else reply(out, "250 ok");
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Reads one CRLF-terminated line into {@code line} (without the CRLF); false at end of stream. */
    private static boolean readLine(InputStream in, ByteArrayOutputStream line) throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return true;
            }
            if (b != '\r') line.write(b);
        }
        return line.size() > 0;
    }

    private static boolean startsWithIgnoreCase(byte[] line, byte[] prefix) {
        if (line.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (Character.toLowerCase(line[i]) != prefix[i]) return false;
        return true;
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
