package dev.signalbox.accounts;

import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Workspaces and who may do what in them. A workspace the caller is not a member of does not
 * exist for them: every check answers 404, never 403.
 */
@Service
public class Workspaces {

    public record Workspace(String id, String name, String role) {}

    private final JdbcClient db;
    private final Clock clock;
    private final Users users;

    Workspaces(JdbcClient db, Clock clock, Users users) {
        this.db = db;
        this.clock = clock;
        this.users = users;
    }

    @Transactional
    public Workspace create(CurrentUser owner, String name) {
        if (name == null || name.isBlank()) throw ApiProblem.invalid("name", "is required");
        if (name.length() > 100) throw ApiProblem.invalid("name", "must be at most 100 characters");
        String id = Ids.next("wsp", clock.millis());
        db.sql("insert into workspaces (id, name, created_at) values (:id, :name, :now)")
                .param("id", id).param("name", name.trim()).param("now", OffsetDateTime.now(clock)).update();
        db.sql("insert into workspace_members (workspace_id, user_id, role) values (:w, :u, 'owner')")
                .param("w", id).param("u", owner.id()).update();
        return new Workspace(id, name.trim(), "owner");
    }

    public List<Workspace> of(CurrentUser user) {
        return db.sql("""
                select w.id, w.name, m.role from workspaces w
                join workspace_members m on m.workspace_id = w.id
                where m.user_id = :u order by w.created_at, w.id""")
                .param("u", user.id())
                .query((rs, n) -> new Workspace(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    /** The caller's role in the workspace, if they are a member at all. */
    public Optional<WorkspaceRole> roleOf(CurrentUser user, String workspaceId) {
        return db.sql("select role from workspace_members where workspace_id = :w and user_id = :u")
                .param("w", workspaceId).param("u", user.id())
                .query(String.class).optional()
                .flatMap(WorkspaceRole::parse);
    }

    /**
     * Checks that the caller holds at least {@code needed} in the workspace. Not a member: 404.
     * A member with too small a role: 403 naming the role needed (they can see the workspace).
     */
    public WorkspaceRole require(CurrentUser user, String workspaceId, WorkspaceRole needed) {
        WorkspaceRole role = roleOf(user, workspaceId).orElseThrow(() -> ApiProblem.notFound("Workspace " + workspaceId));
        if (!role.atLeast(needed)) {
            throw ApiProblem.forbidden("This needs the " + needed.wireName() + " role in the workspace; you are " + role.wireName());
        }
        return role;
    }

    public Workspace get(CurrentUser user, String workspaceId) {
        WorkspaceRole role = require(user, workspaceId, WorkspaceRole.VIEWER);
        String name = db.sql("select name from workspaces where id = :w").param("w", workspaceId).query(String.class).single();
        return new Workspace(workspaceId, name, role.wireName());
    }

    public record Member(String userId, String email, String name, String role) {}

    @Transactional
    public Member addMember(CurrentUser caller, String workspaceId, String email, String role) {
        require(caller, workspaceId, WorkspaceRole.OWNER);
        if (email == null || email.isBlank()) throw ApiProblem.invalid("email", "is required");
        WorkspaceRole parsed = WorkspaceRole.parse(role == null ? "" : role)
                .orElseThrow(() -> ApiProblem.invalid("role", "must be one of owner, editor, viewer"));
        CurrentUser member = users.byEmail(email)
                .orElseThrow(() -> ApiProblem.invalid("email", "no Signalbox user has this email; ask them to sign up first"));
        db.sql("""
                insert into workspace_members (workspace_id, user_id, role) values (:w, :u, :r)
                on conflict (workspace_id, user_id) do update set role = excluded.role""")
                .param("w", workspaceId).param("u", member.id()).param("r", parsed.wireName()).update();
        return new Member(member.id(), member.email(), member.name(), parsed.wireName());
    }

    public List<Member> members(CurrentUser caller, String workspaceId) {
        require(caller, workspaceId, WorkspaceRole.VIEWER);
        return db.sql("""
                select u.id, u.email, u.name, m.role from workspace_members m join users u on u.id = m.user_id
                where m.workspace_id = :w order by u.email""")
                .param("w", workspaceId)
                .query((rs, n) -> new Member(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
    }
}
