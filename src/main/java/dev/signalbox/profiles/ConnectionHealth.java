package dev.signalbox.profiles;

import dev.signalbox.mail.Mailer;
import dev.signalbox.platform.BaseUrl;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Tells a workspace's owners, by email, that a profile stopped working and what to do. Called in
 * the transaction that marked the profile, so each loss of a connection sends one message per owner.
 */
@Component
class ConnectionHealth {

    private final JdbcClient db;
    private final Mailer mailer;
    private final BaseUrl baseUrl;
    private final String supportAddress;
    private final Duration staleAfter;

    ConnectionHealth(JdbcClient db, Mailer mailer, BaseUrl baseUrl, @Value("${signalbox.mail.support-address:}") String supportAddress,
            @Value("${signalbox.reconnect.stale-after:PT12H}") Duration staleAfter) {
        this.staleAfter = staleAfter;
        this.db = db;
        this.mailer = mailer;
        this.baseUrl = baseUrl;
        this.supportAddress = supportAddress;
    }

    void needsReconnect(String profileId, String reason) {
        record Owner(String email, String name, String handle, String network, String workspaceId, String workspace) {}
        List<Owner> owners = db.sql("""
                select u.email, u.name, p.handle, p.network, w.id, w.name
                from profiles p join workspaces w on w.id = p.workspace_id
                join workspace_members m on m.workspace_id = w.id and m.role = 'owner'
                join users u on u.id = m.user_id
                where p.id = :p""")
                .param("p", profileId)
                .query((rs, n) -> new Owner(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)))
                .list();
        for (Owner o : owners) {
            String link = baseUrl.get() + "/workspaces/" + o.workspaceId();
            mailer.queue(o.email(), "Reconnect @" + o.handle() + " on " + o.network() + " to keep posting",
                    """
                    Hi %s,

                    Signalbox can no longer post to @%s on %s (workspace "%s").
                    The network said: %s

                    What to do now:
                    - Open %s and reconnect @%s.

                    Your scheduled posts for this profile are held, not lost: they go out in their
                    original order as soon as you reconnect. Nothing else in your account is affected.

                    If anything is unclear, reply to this email and a person will answer.

                    – The Signalbox team
                    """.formatted(o.name(), o.handle(), o.network(), o.workspace(), reason, link, o.handle()),
                    supportAddress.isBlank() ? null : supportAddress);
        }
    }

    /** One message per owner (by email address) covering all of their profiles among {@code profileIds}. */
    void disconnectedForSafety(List<String> profileIds, String reason, List<String> reconnectClients) {
        if (profileIds.isEmpty()) return;
        record Owned(String email, String name, String handle, String network, String workspaceId, String workspace) {}
        List<Owned> rows = db.sql("""
                select u.email, u.name, p.handle, p.network, w.id, w.name
                from profiles p join workspaces w on w.id = p.workspace_id
                join workspace_members m on m.workspace_id = w.id and m.role = 'owner'
                join users u on u.id = m.user_id
                where p.id = any(:ids)
                order by lower(u.email), w.name, p.handle""")
                .param("ids", profileIds.toArray(String[]::new))
                .query((rs, n) -> new Owned(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)))
                .list();
        Map<String, List<Owned>> byOwner = new LinkedHashMap<>();
        for (Owned row : rows) byOwner.computeIfAbsent(row.email().toLowerCase(java.util.Locale.ROOT), k -> new java.util.ArrayList<>()).add(row);
        for (List<Owned> owned : byOwner.values()) {
            Owned first = owned.getFirst();
            StringBuilder list = new StringBuilder();
            for (Owned o : owned) {
                list.append("  - @").append(o.handle()).append(" in \"").append(o.workspace()).append("\": ")
                        .append(baseUrl.get()).append("/workspaces/").append(o.workspaceId()).append('\n');
            }
            String where = reconnectClients == null || reconnectClients.isEmpty() ? ""
                    : "- For now, reconnecting " + first.network() + " works only from " + ReconnectClients.places(reconnectClients)
                            + ". Other ways to reconnect will work again once we have made them safe; we will tell you.\n";
            String hours = staleAfter.toMinutes() % 60 == 0 ? staleAfter.toHours() + " hours" : staleAfter.toMinutes() + " minutes";
            mailer.queue(first.email(), "We disconnected your " + first.network() + " profiles in Signalbox to keep them safe",
                    """
                    Hi %s,

                    To keep your accounts safe, Signalbox has disconnected every %s profile, including yours,
                    and asked %s to cancel the access Signalbox had. You did nothing wrong: we did this
                    ourselves, for your safety.
                    Why: %s

                    There is one key step to posting again: reconnect these profiles, even if you did so recently.
                    %s
                    Other important things to know:
                    - Your scheduled posts are held, not lost: they go out in their original order as soon as you
                      reconnect. Posts that were due more than %s earlier wait for you to confirm them on the
                      profile's page, so nothing old goes out by surprise.
                    %s- Your Signalbox password and your profiles on other networks are not affected.

                    I am sorry for the trouble this causes you. If anything is unclear, reply to this email and a
                    person will answer.

                    – The Signalbox team
                    """.formatted(first.name(), first.network(), first.network(), reason, list, hours, where),
                    supportAddress.isBlank() ? null : supportAddress);
        }
    }
}
