package dev.signalbox.publishing;

import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Published posts as the incident command sees them: selecting them across every workspace (no
 * customer access check — callers are operators, checked by the caller), and recording on a post
 * what a containment did to it, which its owner then sees in the post's history.
 */
@Service
public class PublishedPosts {

    /**
     * Which published posts to select; every non-null criterion must hold. Empty lists are treated
     * as absent. {@code from} is inclusive, {@code to} exclusive, both on the time of publishing.
     */
    public record Criteria(String network, Instant from, Instant to, List<String> workspaceIds, List<String> profileIds,
            List<String> postIds, boolean flaggedOnly) {}

    /** A published post: where it is on the network, and its containment state so far (null if none). */
    public record Published(String postId, String profileId, String workspaceId, String network, String networkPostId,
            String containmentState) {}

    private final JdbcClient db;

    PublishedPosts(JdbcClient db) {
        this.db = db;
    }

    /** Posts with status published and a network id that match all criteria, in id order. */
    public List<Published> select(Criteria c) {
        return db.sql("""
                select p.id, p.profile_id, pr.workspace_id, pr.network, p.network_post_id, p.containment_state
                from posts p join profiles pr on pr.id = p.profile_id
                where p.status = 'published' and p.network_post_id is not null
                  and (cast(:network as text) is null or pr.network = cast(:network as text))
                  and (cast(:from as timestamptz) is null or p.published_at >= cast(:from as timestamptz))
                  and (cast(:to as timestamptz) is null or p.published_at < cast(:to as timestamptz))
                  and (cast(:workspaces as text[]) is null or pr.workspace_id = any (cast(:workspaces as text[])))
                  and (cast(:profiles as text[]) is null or p.profile_id = any (cast(:profiles as text[])))
                  and (cast(:posts as text[]) is null or p.id = any (cast(:posts as text[])))
                  and (not :flagged or coalesce(p.flagged, false))
                order by p.id""")
                .param("network", c.network())
                .param("from", Posts.odt(c.from())).param("to", Posts.odt(c.to()))
                .param("workspaces", array(c.workspaceIds())).param("profiles", array(c.profileIds())).param("posts", array(c.postIds()))
                .param("flagged", c.flaggedOnly())
                .query((rs, n) -> new Published(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6)))
                .list();
    }

    /**
     * Records on the post that containment job {@code jobId} brought it to {@code state} (hidden,
     * deleted or restored) at {@code at}, for {@code reason}. Joins the caller's transaction.
     */
    public void recordContainment(String postId, String state, Instant at, String jobId, String reason) {
        if (!List.of("hidden", "deleted", "restored").contains(state)) {
            throw new IllegalArgumentException("containment state must be hidden, deleted or restored, not " + state);
        }
        db.sql("""
                update posts set containment_state = :state, containment_at = :at, containment_job_id = :job,
                       containment_reason = :reason, updated_at = :at
                where id = :id""")
                .param("state", state).param("at", Posts.odt(at)).param("job", jobId).param("reason", reason).param("id", postId)
                .update();
    }

    private static String[] array(List<String> values) {
        return values == null || values.isEmpty() ? null : values.toArray(String[]::new);
    }
}
