package dev.signalbox.support;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.FlagTerm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Reads the support mailbox over IMAP ({@code signalbox.support.imap-url}, i.e.
 * {@code SIGNALBOX_SUPPORT_IMAP_URL}: {@code imap[s]://user:password@host:port/FOLDER}) every
 * {@code signalbox.support.imap-poll-ms}. Each unseen message is fetched without marking it
 * (PEEK), stored by {@link Inbox#receive} (committed), and only then flagged \Seen: a crash in
 * between means it is read again next time and recognised as already stored — nothing is lost and
 * nothing lands twice, however many nodes poll the same mailbox. Logs name the mailbox without
 * its credentials.
 */
@Component
class SupportMailbox {

    private static final Logger log = LoggerFactory.getLogger(SupportMailbox.class);
    static final int BATCH = 200;

    /** Where the mailbox is; {@link #toString} leaves the password out. */
    record ImapUrl(boolean ssl, String user, String password, String host, int port, String folder) {
        static ImapUrl parse(String url) {
            URI uri;
            try {
                uri = new URI(url.strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("signalbox.support.imap-url is not a URL like imaps://user:password@host:993/INBOX");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!scheme.equals("imap") && !scheme.equals("imaps")) {
                throw new IllegalArgumentException("signalbox.support.imap-url must start with imap:// or imaps://, not " + scheme + "://");
            }
            String info = uri.getRawUserInfo();
            if (info == null || !info.contains(":") || uri.getHost() == null) {
                throw new IllegalArgumentException("signalbox.support.imap-url must name user, password and host: imaps://user:password@host:993/INBOX");
            }
            String user = URLDecoder.decode(info.substring(0, info.indexOf(':')), StandardCharsets.UTF_8);
            String password = URLDecoder.decode(info.substring(info.indexOf(':') + 1), StandardCharsets.UTF_8);
            String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            boolean ssl = scheme.equals("imaps");
            return new ImapUrl(ssl, user, password, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : ssl ? 993 : 143,
                    path.isEmpty() ? "INBOX" : path);
        }

        @Override
        public String toString() {
            return (ssl ? "imaps" : "imap") + "://" + user + "@" + host + ":" + port + "/" + folder;
        }
    }

    private final Inbox inbox;
    private final ImapUrl url;
    private final ReentrantLock polling = new ReentrantLock();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile String lastProblem;

    SupportMailbox(Inbox inbox, @Value("${signalbox.support.imap-url:}") String url) {
        this.inbox = inbox;
        ImapUrl parsed = null;
        if (url != null && !url.isBlank()) {
            try {
                parsed = ImapUrl.parse(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(e.getMessage()); // the message names the setting, never the URL's content
            }
            log.info("Support inbox reads {}", parsed);
        }
        this.url = parsed;
    }

    @Scheduled(fixedDelayString = "${signalbox.support.imap-poll-ms:5000}", initialDelayString = "${signalbox.support.imap-poll-ms:5000}")
    void scheduled() {
        if (url == null) return;
        try {
            poll();
        } catch (MessagingException | RuntimeException e) {
            String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!problem.equals(lastProblem)) log.warn("Could not read the support mailbox {}: {}", url, problem);
            lastProblem = problem;
        }
    }

    /**
     * One pass over the mailbox's unseen messages (at most {@value #BATCH}); returns how many this
     * call stored. A message that cannot be stored (the database is away) stays unseen for the next pass.
     */
    int poll() throws MessagingException {
        if (url == null || !polling.tryLock()) return 0;
        try {
            Properties props = new Properties();
            String protocol = url.ssl() ? "imaps" : "imap";
            props.put("mail.store.protocol", protocol);
            props.put("mail." + protocol + ".peek", "true");
            props.put("mail." + protocol + ".connectiontimeout", "10000");
            props.put("mail." + protocol + ".timeout", "30000");
            Session session = Session.getInstance(props);
            int count = 0;
            try (Store store = session.getStore(protocol)) {
                store.connect(url.host(), url.port(), url.user(), url.password());
                Folder folder = store.getFolder(url.folder());
                folder.open(Folder.READ_WRITE);
                try {
                    Message[] unseen = folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
                    for (int i = 0; i < unseen.length && i < BATCH; i++) {
                        Message message = unseen[i];
                        if (message.isSet(Flags.Flag.SEEN)) continue; // another node finished it meanwhile
                        byte[] raw = raw(message);
                        Inbox.Received received;
                        try {
                            received = inbox.receive(MailReader.read(raw, "imap"));
                        } catch (RuntimeException e) {
                            // Left unseen, so the next pass tries again; the others in this pass still land.
                            log.warn("Could not store message {} of the support mailbox {}; it stays unread for the next pass: {}",
                                    message.getMessageNumber(), url, e.toString());
                            continue;
                        }
                        if (received.outcome() == Inbox.Outcome.DUPLICATE) duplicates.incrementAndGet();
                        else {
                            stored.incrementAndGet();
                            count++;
                        }
                        message.setFlag(Flags.Flag.SEEN, true);
                    }
                } finally {
                    folder.close(false);
                }
            }
            lastProblem = null;
            return count;
        } finally {
            polling.unlock();
        }
    }

    private static byte[] raw(Message message) throws MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("could not fetch message " + message.getMessageNumber() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Messages this node stored, and copies it found already stored (by another node or an earlier pass). */
    long stored() {
        return stored.get();
    }

    long duplicates() {
        return duplicates.get();
    }
}
