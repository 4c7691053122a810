package dev.signalbox.comms;

import dev.signalbox.mail.Mailer;
import dev.signalbox.networks.BrowserConnect;
import dev.signalbox.networks.Networks;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import dev.signalbox.profiles.ReconnectClients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who still has to reconnect, and the personal message each of them gets. A person has to act
 * while a profile in a workspace where they are owner or editor (those who can reconnect it) is
 * {@code needs_reconnect} — on the campaign's network when it names one. Customers only: operators
 * are never recipients. A message lists the reader's own profiles, never anyone else's, each with
 * the link that reconnects it: {@code /connect/<network>?workspace=…} for networks connected in
 * the browser (X, Facebook), the workspace page (its connect form) for the others.
 */
@Component
class FollowUpMail {

    /** The placeholders a follow-up body may use; {@value #PROFILES} is required. */
    static final String NAME = "{{name}}";
    static final String PROFILES = "{{profiles}}";
    static final String STATUS_PAGE = "{{statusPage}}";
    static final Set<String> PLACEHOLDERS = Set.of(NAME, PROFILES, STATUS_PAGE);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{[^{}]*}}");

    /**
     * The profiles a person can reconnect that still need it: one SQL fragment selecting
     * {@code user_id} and the profile, shared by the recipient list, the send-time check and the
     * reconnection listener so the three never disagree. {@code :network} may be null (any network).
     */
    static final String WAITING = """
            select m.user_id, p.id as profile_id, p.handle, p.network, p.workspace_id, w.name as workspace
            from workspace_members m
            join users u on u.id = m.user_id
            join profiles p on p.workspace_id = m.workspace_id
            join workspaces w on w.id = m.workspace_id
            where m.role in ('owner', 'editor') and cardinality(u.operator_roles) = 0 and p.status = 'needs_reconnect'
              and (cast(:network as text) is null or p.network = cast(:network as text))""";

    /** One profile to reconnect, with the link that does it. */
    record Reconnect(String profileId, String handle, String network, String workspaceId, String workspace, String link) {}

    /** The reader and their own profiles still needing reconnection. */
    record Reader(String userId, String email, String name, List<Reconnect> profiles) {}

    /** A rendered message. */
    record Letter(String to, String subject, String body) {}

    private final JdbcClient db;
    private final Mailer mailer;
    private final BaseUrl baseUrl;
    private final Networks networks;
    private final ReconnectClients clients;
    private final String supportAddress;

    FollowUpMail(JdbcClient db, Mailer mailer, BaseUrl baseUrl, Networks networks, ReconnectClients clients,
            @Value("${signalbox.mail.support-address:}") String supportAddress) {
        this.db = db;
        this.mailer = mailer;
        this.baseUrl = baseUrl;
        this.networks = networks;
        this.clients = clients;
        this.supportAddress = supportAddress;
    }

    /** Everyone who has to reconnect now (on {@code network}, or any network when null), in a stable order. */
    List<String> waiting(String network) {
        return db.sql("select distinct user_id from (" + WAITING + ") waiting order by user_id")
                .param("network", network).query(String.class).list();
    }

    /** The readers among {@code userIds} who still have something to reconnect; the others are absent from the map. */
    Map<String, Reader> readers(List<String> userIds, String network) {
        if (userIds.isEmpty()) return Map.of();
        record Row(String userId, String email, String name, Reconnect profile) {}
        List<Row> rows = db.sql("""
                select w.user_id, u.email, u.name, w.profile_id, w.handle, w.network, w.workspace_id, w.workspace
                from (%s) w join users u on u.id = w.user_id
                where w.user_id = any(:users)
                order by w.user_id, w.workspace, w.network, lower(w.handle), w.profile_id""".formatted(WAITING))
                .param("network", network).param("users", userIds.toArray(String[]::new))
                .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3),
                        new Reconnect(rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                                link(rs.getString(6), rs.getString(7)))))
                .list();
        Map<String, Reader> readers = new LinkedHashMap<>();
        for (Row row : rows) {
            Reader reader = readers.computeIfAbsent(row.userId(), k -> new Reader(row.userId(), row.email(), row.name(), new ArrayList<>()));
            reader.profiles().add(row.profile());
        }
        return readers;
    }

    /** Queues {@code letter} in the caller's transaction (Reply-To: the support address when set); returns its Message-ID. */
    String queue(Letter letter) {
        return mailer.queue(letter.to(), letter.subject(), letter.body(), supportAddress.isBlank() ? null : supportAddress);
    }

    /** The subject of round {@code round}: reminders say they are one. */
    static String subject(String subject, int round) {
        return round == 0 ? subject : "Reminder: " + subject;
    }

    Letter render(Reader reader, String subject, String body, int round) {
        String text = body.replace(NAME, firstName(reader.name()))
                .replace(STATUS_PAGE, baseUrl.get() + "/status")
                .replace(PROFILES, list(reader.profiles()));
        return new Letter(reader.email(), subject(subject, round), text);
    }

    /** Field errors for a body's placeholders: {@value #PROFILES} must be there, and nothing unknown. */
    static List<ApiProblem.FieldError> checkPlaceholders(String body) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (!body.contains(PROFILES)) {
            errors.add(new ApiProblem.FieldError("body", "must contain " + PROFILES + " where each customer's own list of profiles to reconnect"
                    + " (with their links) goes; leave body out to use the standard wording"));
        }
        Matcher m = PLACEHOLDER.matcher(body);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group())) {
                errors.add(new ApiProblem.FieldError("body", "'" + m.group() + "' is not a placeholder; use " + NAME + ", " + PROFILES
                        + " or " + STATUS_PAGE));
            }
        }
        return errors;
    }

    /**
     * The standard reconnect-required wording, in the spirit of Buffer's follow-up email: an apology,
     * why, exactly what to do (the reader's own list), what is not affected, where updates are, an
     * invitation to reply with a promise to answer, and the sender's name.
     */
    static String defaultBody(String network, String senderName) {
        String which = network == null ? "some of your profiles" : "your " + displayName(network) + " profiles";
        return """
                Hi {{name}},

                I'm sorry for the trouble this incident has caused you. To keep your accounts safe, Signalbox disconnected \
                %s, and they cannot post until you reconnect them. You did nothing wrong: we did this ourselves, for your safety.

                There is one key step left. What you need to do now: reconnect each of these profiles, even if you did so recently.

                {{profiles}}

                Other important things to know:

                - Your scheduled posts for these profiles are held, not lost. They go out in their original order once you reconnect.
                - Your Signalbox password, your billing details and your profiles on other networks are not affected.
                - We post updates about the incident on our status page: {{statusPage}}

                If anything is unclear, or a reconnect does not work, just reply to this email. A person reads every reply, and we \
                will answer every single one.

                – %s and the Signalbox team
                """.formatted(which, firstName(senderName));
    }

    static String defaultSubject(String network) {
        return network == null ? "Please reconnect your profiles in Signalbox" : "Please reconnect your " + displayName(network) + " profiles in Signalbox";
    }

    static String displayName(String network) {
        return switch (network) {
            case "x" -> "X";
            case "facebook" -> "Facebook";
            case "mastodon" -> "Mastodon";
            case "bluesky" -> "Bluesky";
            case "sandbox" -> "sandbox";
            default -> network;
        };
    }

    private String list(List<Reconnect> profiles) {
        StringBuilder out = new StringBuilder();
        List<String> restricted = new ArrayList<>();
        for (Reconnect p : profiles) {
            out.append("- @").append(p.handle()).append(" on ").append(displayName(p.network())).append(" (workspace \"")
                    .append(p.workspace()).append("\"): reconnect at ").append(p.link()).append('\n');
            if (!restricted.contains(p.network())) restricted.add(p.network());
        }
        for (String network : restricted) {
            Optional<ReconnectClients.Restriction> r = clients.on(network);
            if (r.isPresent()) {
                out.append("\nFor now, reconnecting ").append(displayName(network)).append(" works only from ")
                        .append(ReconnectClients.places(r.get().clients())).append(".\n");
            }
        }
        return out.toString().stripTrailing();
    }

    private String link(String network, String workspaceId) {
        boolean inBrowser = networks.find(network).map(a -> a instanceof BrowserConnect).orElse(false);
        return inBrowser ? baseUrl.get() + "/connect/" + network + "?workspace=" + workspaceId : baseUrl.get() + "/workspaces/" + workspaceId;
    }

    private static String firstName(String name) {
        if (name == null || name.isBlank()) return "there";
        return name.strip().split("\\s+")[0];
    }
}
