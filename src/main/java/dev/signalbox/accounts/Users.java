package dev.signalbox.accounts;

import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Customers and operators: sign-up, password check, operator creation. */
@Service
public class Users {

    static final Set<String> OPERATOR_ROLES = Set.of("admin", "responder", "communicator", "support");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");
    static final int MIN_PASSWORD = 10;

    private final JdbcClient db;
    private final PasswordEncoder passwords;
    private final Clock clock;
    private final String dummyHash;
    private final ApplicationEventPublisher events;

    Users(JdbcClient db, PasswordEncoder passwords, Clock clock, ApplicationEventPublisher events) {
        this.db = db;
        this.events = events;
        this.passwords = passwords;
        this.clock = clock;
        this.dummyHash = passwords.encode("no account has this password");
    }

    public CurrentUser signUp(String email, String password, String name) {
        return create(email, password, name, Set.of());
    }

    public CurrentUser createOperator(String email, String password, String name, List<String> roles) {
        if (roles == null || roles.isEmpty()) {
            throw ApiProblem.invalid("roles", "must name at least one of admin, responder, communicator, support");
        }
        for (String role : roles) {
            if (!OPERATOR_ROLES.contains(role)) {
                throw ApiProblem.invalid("roles", "'" + role + "' is not a role; use admin, responder, communicator or support");
            }
        }
        return create(email, password, name, new LinkedHashSet<>(roles));
    }

    /**
     * Creates an operator on behalf of {@code by} (null: Signalbox itself) and announces it in the
     * same transaction, so the audit record and the account commit together. 409 for a taken email.
     */
    @Transactional
    public CurrentUser createOperator(CurrentUser by, String source, String email, String password, String name, List<String> roles) {
        CurrentUser created = createOperator(email, password, name, roles);
        events.publishEvent(new AccountEvents.OperatorCreated(by, source, created));
        return created;
    }

    /** An operator as the operators list shows them. */
    public record OperatorSummary(String id, String email, String name, List<String> roles, boolean totpEnrolled) {}

    public List<OperatorSummary> operators() {
        return db.sql("""
                select u.id, u.email, u.name, u.operator_roles, t.confirmed_at is not null as enrolled
                from users u left join users_totp t on t.user_id = u.id
                where cardinality(u.operator_roles) > 0 order by lower(u.email)""")
                .query((rs, n) -> new OperatorSummary(rs.getString(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getBoolean(5)))
                .list();
    }

    private CurrentUser create(String email, String password, String name, Set<String> roles) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (email == null || email.isBlank()) errors.add(new ApiProblem.FieldError("email", "is required"));
        else if (!EMAIL.matcher(email.trim()).matches() || email.length() > 254)
            errors.add(new ApiProblem.FieldError("email", "must be an email address like name@example.com"));
        if (password == null || password.length() < MIN_PASSWORD)
            errors.add(new ApiProblem.FieldError("password", "must be at least " + MIN_PASSWORD + " characters"));
        else if (password.length() > 200)
            errors.add(new ApiProblem.FieldError("password", "must be at most 200 characters"));
        if (name == null || name.isBlank()) errors.add(new ApiProblem.FieldError("name", "is required"));
        else if (name.length() > 200) errors.add(new ApiProblem.FieldError("name", "must be at most 200 characters"));
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);

        String id = Ids.next("usr", clock.millis());
        try {
            db.sql("""
                    insert into users (id, email, name, password_hash, operator_roles, created_at)
                    values (:id, :email, :name, :hash, :roles::text[], :now)""")
                    .param("id", id)
                    .param("email", email.trim())
                    .param("name", name.trim())
                    .param("hash", passwords.encode(password))
                    .param("roles", "{" + String.join(",", roles) + "}")
                    .param("now", OffsetDateTime.now(clock))
                    .update();
        } catch (DuplicateKeyException e) {
            throw new ApiProblem(org.springframework.http.HttpStatus.CONFLICT, "Email already registered",
                    "email: " + email.trim() + " already has an account; sign in instead",
                    List.of(new ApiProblem.FieldError("email", "is already registered")));
        }
        return new CurrentUser(id, email.trim(), name.trim(), roles);
    }

    /** The user with this email and password, or empty: a wrong email and a wrong password look alike. */
    public Optional<CurrentUser> authenticate(String email, String password) {
        if (email == null || password == null) return Optional.empty();
        Optional<Row> row = db.sql("select id, email, name, password_hash, operator_roles from users where lower(email) = lower(:email)")
                .param("email", email.trim())
                .query(Users::row)
                .optional();
        if (row.isEmpty()) {
            passwords.matches(password, dummyHash); // same work whether or not the email exists
            return Optional.empty();
        }
        return passwords.matches(password, row.get().hash()) ? Optional.of(row.get().user()) : Optional.empty();
    }

    public Optional<CurrentUser> byId(String id) {
        return db.sql("select id, email, name, password_hash, operator_roles from users where id = :id")
                .param("id", id).query(Users::row).optional().map(Row::user);
    }

    public Optional<CurrentUser> byEmail(String email) {
        return db.sql("select id, email, name, password_hash, operator_roles from users where lower(email) = lower(:email)")
                .param("email", email.trim()).query(Users::row).optional().map(Row::user);
    }

    boolean anyOperator() {
        return db.sql("select exists (select 1 from users where cardinality(operator_roles) > 0)")
                .query(Boolean.class).single();
    }

    record Row(CurrentUser user, String hash) {}

    static Row row(ResultSet rs, int n) throws SQLException {
        Array roles = rs.getArray("operator_roles");
        Set<String> set = new LinkedHashSet<>(List.of((String[]) roles.getArray()));
        return new Row(new CurrentUser(rs.getString("id"), rs.getString("email"), rs.getString("name"), set),
                rs.getString("password_hash"));
    }

}
