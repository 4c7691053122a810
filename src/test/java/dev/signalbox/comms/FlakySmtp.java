package dev.signalbox.comms;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SMTP proxy in front of a real server (GreenMail) that misbehaves on purpose, line by line:
 * every {@code k}-th RCPT gets {@code 451} (try later), addresses in {@code refused} get a permanent
 * {@code 550}, addresses in {@code busy} always get {@code 451}, and while {@link #down} is set every
 * new connection is greeted with {@code 421} and closed. Everything else is relayed unchanged, so
 * the upstream server holds exactly the messages the client was told were accepted.
 */
final class FlakySmtp implements AutoCloseable {

    private static final Pattern ADDRESS = Pattern.compile("<([^>]*)>");

    private final int upstreamPort;
    private final int everyKth;
    private final Set<String> refused;
    private final Set<String> busy;
    private final ServerSocket server;
    private final AtomicInteger rcpts = new AtomicInteger();
    private final AtomicInteger deferred = new AtomicInteger();
    private final AtomicInteger turnedAway = new AtomicInteger();
    private final CopyOnWriteArrayList<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean down;

    FlakySmtp(int upstreamPort, int everyKth, Set<String> refused, Set<String> busy) {
        this.upstreamPort = upstreamPort;
        this.everyKth = everyKth;
        this.refused = refused;
        this.busy = busy;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("flaky-smtp").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** While true, new connections get 421 and are closed (the server is "down"). */
    void down(boolean down) {
        this.down = down;
    }

    /** How many RCPTs were answered 451 by this proxy (k-th and busy ones). */
    int deferred() {
        return deferred.get();
    }

    int turnedAway() {
        return turnedAway.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            OutputStream toClient = client.getOutputStream();
            BufferedReader fromClient = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
            if (down) {
                turnedAway.incrementAndGet();
                write(toClient, "421 4.3.2 flaky-smtp is down for maintenance, try again later");
                return;
            }
            try (Socket up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
                OutputStream toServer = up.getOutputStream();
                BufferedReader fromServer = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.ISO_8859_1));
                relayReply(fromServer, toClient);
                boolean data = false;
                String line;
                while ((line = fromClient.readLine()) != null) {
                    if (data) {
                        write(toServer, line);
                        if (line.equals(".")) {
                            data = false;
                            relayReply(fromServer, toClient);
                        }
                        continue;
                    }
                    String command = line.toUpperCase(Locale.ROOT);
                    if (command.startsWith("RCPT TO:")) {
                        Matcher m = ADDRESS.matcher(line);
                        String address = m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "";
                        int n = rcpts.incrementAndGet();
                        if (refused.contains(address)) {
                            write(toClient, "550 5.1.1 <" + address + ">: Recipient address rejected: no such mailbox here");
                            continue;
                        }
                        if (busy.contains(address) || n % everyKth == 0) {
                            deferred.incrementAndGet();
                            write(toClient, "451 4.7.1 <" + address + ">: Greylisted, please try again later");
                            continue;
                        }
                    }
                    write(toServer, line);
                    String reply = relayReply(fromServer, toClient);
                    if (command.equals("DATA") && reply.startsWith("354")) data = true;
                    if (command.equals("QUIT")) return;
                }
            }
        } catch (IOException e) {
            // the client or the server went away; the client sees a broken connection
        } finally {
            open.remove(client);
        }
    }

    /** Copies one (possibly multi-line) reply from the server to the client; returns its last line. */
    private static String relayReply(BufferedReader fromServer, OutputStream toClient) throws IOException {
        String line;
        do {
            line = fromServer.readLine();
            if (line == null) throw new IOException("upstream closed");
            write(toClient, line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) s.close();
    }
}
