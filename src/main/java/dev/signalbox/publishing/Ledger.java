package dev.signalbox.publishing;

import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The outcome half of each ledger row; the claim wrote the "started" half before the call. */
@Component
class Ledger {

    private final JdbcClient db;

    Ledger(JdbcClient db) {
        this.db = db;
    }

    /** {@code callStarted}: when the network call left this node, or null when none was made. */
    void finish(String postId, int attempt, Instant at, String outcome, String detail, String networkPostId, Instant callStarted) {
        db.sql("""
                update post_attempts set finished_at = :at, outcome = :outcome, detail = :detail, network_post_id = :npid,
                       call_started_at = :callStarted
                where post_id = :post and attempt = :attempt""")
                .param("at", Posts.odt(at)).param("outcome", outcome).param("detail", detail)
                .param("callStarted", callStarted == null ? null : Posts.odt(callStarted))
                .param("npid", networkPostId).param("post", postId).param("attempt", attempt)
                .update();
    }
}
