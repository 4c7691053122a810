package dev.signalbox.accounts;

import dev.signalbox.platform.ApiProblem;
import dev.signalbox.vault.SealedColumn;
import dev.signalbox.vault.TokenVault;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Operators' second factor: a TOTP secret sealed in users_totp, and ten one-time recovery codes
 * kept only as hashes. An operator is enrolled once they confirmed a code from their app (or the
 * secret was provisioned by configuration); from then on every sign-in needs a code.
 */
@Service
public class TwoFactor {

    /** What the operator types into their authenticator app, or scans. */
    public record Enrolment(String secret, String otpauthUri) {}

    /** The answer to a code given at sign-in. */
    public enum Check { ACCEPTED, MISSING, WRONG, REPLAYED }

    /** The dashboard page where an operator without a second factor sets one up; nothing else opens for them until then. */
    public static final String ENROLMENT_PAGE = "/account/totp";

    static final int RECOVERY_CODES = 10;
    private static final String RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final SecureRandom random = new SecureRandom();
    private final JdbcClient db;
    private final TokenVault vault;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    TwoFactor(JdbcClient db, TokenVault vault, Clock clock, ApplicationEventPublisher events) {
        this.db = db;
        this.vault = vault;
        this.clock = clock;
        this.events = events;
    }

    public boolean enrolled(String userId) {
        return db.sql("select exists (select 1 from users_totp where user_id = :u and confirmed_at is not null)")
                .param("u", userId).query(Boolean.class).single();
    }

    /**
     * The pending enrolment of {@code user}, started now if there is none. Showing the page twice
     * shows the same secret until it is confirmed. 409 when the operator is already enrolled.
     */
    @Transactional
    public Enrolment beginEnrolment(CurrentUser user) {
        if (enrolled(user.id())) throw ApiProblem.conflict("Two-factor sign-in is already set up for " + user.email());
        Optional<String> sealed = db.sql("select secret from users_totp where user_id = :u").param("u", user.id())
                .query(String.class).optional();
        String secret;
        if (sealed.isPresent()) {
            secret = vault.open(sealed.get(), aad(user.id()));
        } else {
            secret = Totp.newSecret();
            db.sql("insert into users_totp (user_id, secret, created_at) values (:u, :s, :now) on conflict (user_id) do nothing")
                    .param("u", user.id()).param("s", vault.seal(secret, aad(user.id()))).param("now", OffsetDateTime.now(clock))
                    .update();
            secret = vault.open(db.sql("select secret from users_totp where user_id = :u").param("u", user.id())
                    .query(String.class).single(), aad(user.id())); // another tab may have won the race
        }
        return new Enrolment(secret, otpauthUri(user.email(), secret));
    }

    /**
     * Confirms the pending enrolment with a current code and returns the ten recovery codes, shown
     * once. 422 naming the field {@code code} when the code does not match.
     */
    @Transactional
    public List<String> confirm(CurrentUser user, String code, String source) {
        Enrolment pending = beginEnrolment(user);
        OptionalLong step = Totp.matchingStep(pending.secret(), code == null ? null : code.replace(" ", ""), clock.instant());
        if (step.isEmpty()) {
            throw ApiProblem.invalid("code", "does not match; type the 6-digit code your authenticator app shows now for Signalbox");
        }
        db.sql("update users_totp set confirmed_at = :now, last_step = :step where user_id = :u")
                .param("now", OffsetDateTime.now(clock)).param("step", step.getAsLong()).param("u", user.id()).update();
        List<String> codes = newRecoveryCodes(user.id());
        events.publishEvent(new AccountEvents.OperatorTotpEnrolled(user, source, false));
        return codes;
    }

    /** Sets a confirmed secret given by configuration (SIGNALBOX_ADMIN_TOTP_SECRET), for automation. No recovery codes. */
    @Transactional
    public void provision(CurrentUser user, String base32Secret) {
        byte[] key;
        try {
            key = Totp.base32Decode(base32Secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("SIGNALBOX_ADMIN_TOTP_SECRET is not base32: " + e.getMessage());
        }
        if (key.length < 10) throw new IllegalStateException("SIGNALBOX_ADMIN_TOTP_SECRET must be at least 16 base32 characters (80 bits)");
        String secret = Totp.base32(key);
        db.sql("""
                insert into users_totp (user_id, secret, created_at, confirmed_at) values (:u, :s, :now, :now)
                on conflict (user_id) do update set secret = excluded.secret, confirmed_at = excluded.confirmed_at, last_step = 0""")
                .param("u", user.id()).param("s", vault.seal(secret, aad(user.id()))).param("now", OffsetDateTime.now(clock))
                .update();
        events.publishEvent(new AccountEvents.OperatorTotpEnrolled(user, "internal", true));
    }

    /**
     * Checks a sign-in code: a 6-digit TOTP code (each 30-second step accepted once, on any node)
     * or one of the recovery codes (each accepted once). Users who are not enrolled pass.
     */
    Check check(String userId, String given) {
        Optional<String> sealed = db.sql("select secret from users_totp where user_id = :u and confirmed_at is not null")
                .param("u", userId).query(String.class).optional();
        if (sealed.isEmpty()) return Check.ACCEPTED;
        if (given == null || given.isBlank()) return Check.MISSING;
        String code = given.replace(" ", "");
        if (code.matches("\\d{" + Totp.DIGITS + "}")) {
            OptionalLong step = Totp.matchingStep(vault.open(sealed.get(), aad(userId)), code, clock.instant());
            if (step.isEmpty()) return Check.WRONG;
            int won = db.sql("update users_totp set last_step = :step where user_id = :u and last_step < :step")
                    .param("step", step.getAsLong()).param("u", userId).update();
            return won == 1 ? Check.ACCEPTED : Check.REPLAYED;
        }
        int spent = db.sql("update recovery_codes set used_at = :now where user_id = :u and code_hash = :h and used_at is null")
                .param("now", OffsetDateTime.now(clock)).param("u", userId).param("h", recoveryHash(code)).update();
        return spent == 1 ? Check.ACCEPTED : Check.WRONG;
    }

    private List<String> newRecoveryCodes(String userId) {
        db.sql("delete from recovery_codes where user_id = :u").param("u", userId).update();
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            StringBuilder code = new StringBuilder();
            for (int c = 0; c < 10; c++) {
                if (c == 5) code.append('-');
                code.append(RECOVERY_ALPHABET.charAt(random.nextInt(RECOVERY_ALPHABET.length())));
            }
            codes.add(code.toString());
            db.sql("insert into recovery_codes (user_id, code_hash) values (:u, :h)")
                    .param("u", userId).param("h", recoveryHash(code.toString())).update();
        }
        return codes;
    }

    static String recoveryHash(String code) {
        return ApiTokens.hash(code.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT));
    }

    static String otpauthUri(String email, String secret) {
        String label = URLEncoder.encode("Signalbox:" + email, StandardCharsets.UTF_8).replace("+", "%20").replace("%3A", ":");
        return "otpauth://totp/" + label + "?secret=" + secret + "&issuer=Signalbox";
    }

    private static String aad(String userId) {
        return "users_totp:" + userId;
    }

    /** Key rotation re-seals TOTP secrets too. */
    @Configuration(proxyBeanMethods = false)
    static class Secrets {
        @Bean
        SealedColumn operatorTotpSecrets() {
            return new SealedColumn("users_totp", "user_id", "secret", "users_totp:");
        }
    }
}
