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

    /** {@code call}: when the network call left this node and when its answer came, or null when none was made. */
    void finish(String postId, int attempt, Instant at, String outcome, String detail, String networkPostId, CallTimes call) {
        db.sql("""
                update post_attempts set finished_at = :at, outcome = :outcome, detail = :detail, network_post_id = :npid,
                       call_started_at = :callStarted, call_answered_at = :callAnswered
                where post_id = :post and attempt = :attempt""")
                .param("at", Posts.odt(at)).param("outcome", outcome).param("detail", detail)
                .param("callStarted", call == null ? null : Posts.odt(call.started()))
                .param("callAnswered", call == null ? null : Posts.odt(call.answered()))
                .param("npid", networkPostId).param("post", postId).param("attempt", attempt)
                .update();
    }
}
