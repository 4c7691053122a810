package dev.signalbox.comms;

import dev.signalbox.mail.BulkMail;
import dev.signalbox.platform.BaseUrl;
import java.sql.Array;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

/**
 * Writes an update as one customer's email: addressed to them by name, the update's body (plain
 * text from the Markdown, and the sanitised HTML as the alternative part), then what the incident
 * means for them — their own profiles on the incident's networks, those waiting to be reconnected
 * and those whose posts were contained, the posts themselves with links, and the actions they need
 * to take — and where to follow the incident. Every message carries its delivery id in its
 * Message-ID, its Reply-To (when a support address is set) and an X-Signalbox-Delivery header.
 * Facts are read for a whole batch of recipients in three queries.
 */
@Component
class PersonalUpdates {

    static final Map<String, String> NETWORK_NAMES = Map.of("x", "X", "facebook", "Facebook", "mastodon", "Mastodon", "bluesky", "Bluesky",
            "sandbox", "Sandbox");
    private static final Pattern TEXT_GREETING = Pattern.compile("\\A(?i:hi|hello|hey|dear)\\b[^\\n]{0,40}\\n+");
    private static final Pattern HTML_GREETING = Pattern.compile("\\A\\s*<p>(?i:hi|hello|hey|dear)\\b[^<]{0,40}</p>\\s*");
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final int POSTS_SHOWN = 5;

    /** What every recipient of one update shares, prepared once per update. */
    record Content(String updateId, String incidentId, String subject, String text, String html, List<String> networks) {}

    record Profile(String id, String workspaceId, String network, String handle, String status, int contained) {
        boolean needsReconnect() {
            return status.equals("needs_reconnect");
        }
    }

    record Post(String profileId, String network, String handle, String text, String containment, OffsetDateTime at, String url) {}

    /** One recipient's own facts. */
    record Facts(String name, List<Profile> profiles, List<Post> posts) {}

    private final JdbcClient db;
    private final BaseUrl baseUrl;
    private final BulkMail mail;
    private final String supportAddress;
    private final Map<String, Content> contents = new ConcurrentHashMap<>();

    PersonalUpdates(JdbcClient db, BaseUrl baseUrl, BulkMail mail, @Value("${signalbox.mail.support-address:}") String supportAddress) {
        this.db = db;
        this.baseUrl = baseUrl;
        this.mail = mail;
        this.supportAddress = supportAddress.strip();
    }

    /** The letters for a batch of claimed deliveries, in the same order. */
    List<BulkMail.Letter> letters(List<UpdateDeliveries.Claimed> batch) {
        Map<String, Facts> facts = facts(batch.stream().map(UpdateDeliveries.Claimed::userId).distinct().toArray(String[]::new));
        String base = baseUrl.get();
        List<BulkMail.Letter> letters = new ArrayList<>(batch.size());
        for (UpdateDeliveries.Claimed d : batch) {
            Content content = content(d.updateId());
            letters.add(letter(d, content, facts.getOrDefault(d.userId(), new Facts("", List.of(), List.of())), content.networks(), base));
        }
        return letters;
    }

    private BulkMail.Letter letter(UpdateDeliveries.Claimed d, Content content, Facts facts, List<String> networks, String base) {
        String domain = mail.domain();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Signalbox-Delivery", d.id());
        headers.put("X-Signalbox-Incident", content.incidentId());
        String replyTo = supportAddress.contains("@")
                ? supportAddress.substring(0, supportAddress.indexOf('@')) + "+" + d.id() + supportAddress.substring(supportAddress.indexOf('@'))
                : null;
        return new BulkMail.Letter(d.id(), d.email(), content.subject(), text(content, facts, networks, base), html(content, facts, networks, base), replyTo,
                "<" + d.id() + "@" + domain + ">", headers);
    }

    private static String text(Content content, Facts facts, List<String> networks, String base) {
        StringBuilder out = new StringBuilder(content.text().length() + 1024);
        out.append("Hi ").append(addressedAs(facts.name())).append(",\n\n").append(content.text()).append("\n\n");
        out.append("----------------------------------------------------------------\n");
        out.append("What this means for you\n\n");
        List<Profile> affected = affected(facts, networks);
        if (affected.isEmpty()) {
            out.append("None of your profiles is affected by this incident: there is nothing you need to do.\n");
        } else {
            out.append("Your profiles:\n");
            for (Profile p : affected) out.append("- @").append(p.handle()).append(" on ").append(network(p.network())).append(": ").append(state(p)).append('\n');
            if (!facts.posts().isEmpty()) {
                out.append("\nYour posts we acted on:\n");
                for (Post post : facts.posts()) {
                    out.append("- ").append(capitalised(post.containment())).append(" on ").append(network(post.network())).append(" (@")
                            .append(post.handle()).append(')');
                    if (post.at() != null) out.append(", ").append(WHEN.format(post.at()));
                    out.append(": \"").append(excerpt(post.text())).append("\"\n  ").append(link(post, base)).append('\n');
                }
                int more = affected.stream().mapToInt(Profile::contained).sum() - facts.posts().size();
                if (more > 0) out.append("- and ").append(more).append(" more, listed on each profile's page in Signalbox\n");
            }
            List<Profile> reconnect = affected.stream().filter(Profile::needsReconnect).toList();
            out.append("\nWhat you need to do:\n");
            if (reconnect.isEmpty()) out.append("- Nothing: your profiles keep posting as usual.\n");
            for (Profile p : reconnect) {
                out.append("- Reconnect your ").append(network(p.network())).append(" account @").append(p.handle()).append(": ")
                        .append(base).append("/workspaces/").append(p.workspaceId()).append('\n');
            }
        }
        out.append("\nFollow this incident: ").append(base).append("/status#").append(content.incidentId()).append('\n');
        return out.toString();
    }

    private static String html(Content content, Facts facts, List<String> networks, String base) {
        StringBuilder out = new StringBuilder(content.html().length() + 2048);
        out.append("<!DOCTYPE html><html><body><p>Hi ").append(esc(addressedAs(facts.name()))).append(",</p>\n").append(content.html())
                .append("\n<hr>\n<h2>What this means for you</h2>\n");
        List<Profile> affected = affected(facts, networks);
        if (affected.isEmpty()) {
            out.append("<p>None of your profiles is affected by this incident: there is nothing you need to do.</p>\n");
        } else {
            out.append("<p>Your profiles:</p><ul>");
            for (Profile p : affected) out.append("<li>@").append(esc(p.handle())).append(" on ").append(network(p.network())).append(": ")
                    .append(esc(state(p))).append("</li>");
            out.append("</ul>\n");
            if (!facts.posts().isEmpty()) {
                out.append("<p>Your posts we acted on:</p><ul>");
                for (Post post : facts.posts()) {
                    String link = link(post, base);
                    out.append("<li>").append(capitalised(post.containment())).append(" on ").append(network(post.network())).append(" (@")
                            .append(esc(post.handle())).append(")");
                    if (post.at() != null) out.append(", ").append(WHEN.format(post.at()));
                    out.append(": <a href=\"").append(esc(link)).append("\">").append(esc(excerpt(post.text()))).append("</a></li>");
                }
                out.append("</ul>\n");
            }
            out.append("<p>What you need to do:</p><ul>");
            List<Profile> reconnect = affected.stream().filter(Profile::needsReconnect).toList();
            if (reconnect.isEmpty()) out.append("<li>Nothing: your profiles keep posting as usual.</li>");
            for (Profile p : reconnect) {
                String link = base + "/workspaces/" + p.workspaceId();
                out.append("<li><a href=\"").append(esc(link)).append("\">Reconnect your ").append(network(p.network())).append(" account @")
                        .append(esc(p.handle())).append("</a></li>");
            }
            out.append("</ul>\n");
        }
        String status = base + "/status#" + content.incidentId();
        out.append("<p>Follow this incident: <a href=\"").append(esc(status)).append("\">").append(esc(status)).append("</a></p></body></html>\n");
        return out.toString();
    }

    /** The profiles worth naming: on one of the incident's networks, waiting to be reconnected, or with contained posts. */
    private static List<Profile> affected(Facts facts, List<String> networks) {
        return facts.profiles().stream().filter(p -> p.needsReconnect() || p.contained() > 0 || networks.contains(p.network())).toList();
    }

    /** The post on its network when that is a web link, else its profile's page in Signalbox. */
    private static String link(Post post, String base) {
        String url = post.url();
        return url != null && (url.startsWith("https://") || url.startsWith("http://")) ? url : base + "/profiles/" + post.profileId();
    }

    private static String state(Profile p) {
        List<String> parts = new ArrayList<>();
        if (p.needsReconnect()) parts.add("needs to be reconnected");
        if (p.contained() > 0) parts.add(p.contained() + (p.contained() == 1 ? " post" : " posts") + " hidden, deleted or restored by us");
        if (parts.isEmpty()) parts.add(p.status().equals("connected") ? "connected, nothing to do" : p.status().replace('_', ' '));
        return String.join("; ", parts);
    }

    Content content(String updateId) {
        return contents.computeIfAbsent(updateId, id -> db.sql("""
                select u.id, u.incident_id, i.title, u.status, u.body_markdown, u.body_html, i.networks
                from incident_updates u join incidents i on i.id = u.incident_id where u.id = :id""")
                .param("id", id)
                .query((rs, n) -> {
                    String text = TEXT_GREETING.matcher(MessageBody.toEmailText(rs.getString(5))).replaceFirst("");
                    String html = HTML_GREETING.matcher(rs.getString(6)).replaceFirst("");
                    return new Content(rs.getString(1), rs.getString(2), "[Signalbox] " + rs.getString(3) + " — " + capitalised(rs.getString(4)),
                            text, html, strings(rs.getArray(7)));
                })
                .single());
    }

    /** Name, profiles and contained posts of each user in {@code userIds}. */
    Map<String, Facts> facts(String[] userIds) {
        Map<String, String> names = new HashMap<>();
        db.sql("select id, name from users where id = any(:u)").param("u", userIds)
                .query((rs, n) -> names.put(rs.getString(1), rs.getString(2))).list();
        Map<String, List<Profile>> profiles = new HashMap<>();
        db.sql("""
                select m.user_id, p.id, p.workspace_id, p.network, p.handle, p.status,
                       (select count(*) from posts o where o.profile_id = p.id and o.containment_state is not null)
                from workspace_members m join profiles p on p.workspace_id = m.workspace_id
                where m.user_id = any(:u)
                order by m.user_id, p.network, lower(p.handle), p.id""")
                .param("u", userIds)
                .query((rs, n) -> profiles.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Profile(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7))))
                .list();
        Map<String, List<Post>> posts = new HashMap<>();
        db.sql("""
                select user_id, profile_id, network, handle, text, containment_state, containment_at, network_url from (
                    select m.user_id, p.id as profile_id, p.network, p.handle, o.text, o.containment_state, o.containment_at, o.network_url,
                           row_number() over (partition by m.user_id order by o.containment_at desc nulls last, o.id) as n
                    from workspace_members m join profiles p on p.workspace_id = m.workspace_id join posts o on o.profile_id = p.id
                    where m.user_id = any(:u) and o.containment_state is not null) contained
                where n <= :shown
                order by user_id, n""")
                .param("u", userIds).param("shown", POSTS_SHOWN)
                .query((rs, n) -> posts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Post(rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class), rs.getString(8))))
                .list();
        Map<String, Facts> facts = new HashMap<>();
        for (String user : userIds) {
            facts.put(user, new Facts(names.getOrDefault(user, ""), profiles.getOrDefault(user, List.of()), posts.getOrDefault(user, List.of())));
        }
        return facts;
    }

    private static String addressedAs(String name) {
        return name == null || name.isBlank() ? "there" : name.strip();
    }

    private static String network(String network) {
        return NETWORK_NAMES.getOrDefault(network, network);
    }

    private static String excerpt(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= 80 ? line : line.substring(0, 79) + "…";
    }

    private static String capitalised(String word) {
        return word == null || word.isEmpty() ? "" : Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    private static String esc(String s) {
        return HtmlUtils.htmlEscape(s, "UTF-8");
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
