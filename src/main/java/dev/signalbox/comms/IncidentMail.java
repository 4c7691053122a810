package dev.signalbox.comms;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Who an incident email went to, found again from a reply. Every incident email carries its
 * delivery id ({@code dlv_…}) three ways: as the left part of its Message-ID
 * ({@code <dlv_…@domain>}), in the Reply-To address ({@code support+dlv_…@domain}) and in the
 * {@code X-Signalbox-Delivery} header. A reply quotes at least one of them.
 */
@Service
public class IncidentMail {

    /** The customer and incident an incident email was written for. */
    public record Recipient(String deliveryId, String userId, String email, String incidentId, String updateId) {}

    private static final Pattern DELIVERY = Pattern.compile("dlv_[0-9a-z]{26}");

    private final JdbcClient db;

    IncidentMail(JdbcClient db) {
        this.db = db;
    }

    /** The first delivery id found in {@code text} (a header value, an address), if any. */
    public static Optional<String> deliveryIdIn(String text) {
        if (text == null) return Optional.empty();
        Matcher m = DELIVERY.matcher(text);
        return m.find() ? Optional.of(m.group()) : Optional.empty();
    }

    /** The delivery with this id; empty when there is none (a forged or mistyped token). */
    public Optional<Recipient> recipient(String deliveryId) {
        return db.sql("""
                select d.id, d.user_id, d.email, u.incident_id, d.update_id
                from update_deliveries d join incident_updates u on u.id = d.update_id where d.id = :id""")
                .param("id", deliveryId)
                .query((rs, n) -> new Recipient(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .optional();
    }
}
