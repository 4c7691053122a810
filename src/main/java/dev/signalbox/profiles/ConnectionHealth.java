package dev.signalbox.profiles;

import dev.signalbox.mail.Mailer;
import dev.signalbox.platform.BaseUrl;
import java.util.List;
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

    ConnectionHealth(JdbcClient db, Mailer mailer, BaseUrl baseUrl, @Value("${signalbox.mail.support-address:}") String supportAddress) {
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
}
