package dev.signalbox.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Counts failed sign-ins in the database, so every node sees the same counts. Per account (by
 * email, whether or not an account has it, so a lock-out says nothing about which emails exist):
 * {@code account-limit} failures within {@code window} lock it for {@code window}. Per source
 * address a looser {@code address-limit}. A successful sign-in clears the account's count, never
 * the address's.
 */
@Service
class SignInThrottle {

    /** A failure was counted; {@code lockedNow} when this very failure locked the account. */
    record Counted(int failures, boolean lockedNow, Instant lockedUntil) {}

    private final JdbcClient db;
    private final Clock clock;
    private final int accountLimit;
    private final int addressLimit;
    private final Duration window;

    SignInThrottle(JdbcClient db, Clock clock,
            @Value("${signalbox.sign-in.account-limit:5}") int accountLimit,
            @Value("${signalbox.sign-in.address-limit:30}") int addressLimit,
            @Value("${signalbox.sign-in.window:PT15M}") Duration window) {
        this.db = db;
        this.clock = clock;
        this.accountLimit = accountLimit;
        this.addressLimit = addressLimit;
        this.window = window;
    }

    /** Until when sign-in is refused for this email or from this address, if it is now. */
    Optional<Instant> lockedUntil(String email, String address) {
        return db.sql("select max(locked_until) from sign_in_failures where key in (:a, :b) and locked_until > :now")
                .param("a", accountKey(email)).param("b", addressKey(address)).param("now", now())
                .query((rs, n) -> rs.getObject(1, OffsetDateTime.class)).optional()
                .map(OffsetDateTime::toInstant);
    }

    /** Counts a failure against the email and the address; runs in the caller's transaction if any. */
    Counted failed(String email, String address) {
        count(addressKey(address), addressLimit);
        return count(accountKey(email), accountLimit);
    }

    void succeeded(String email) {
        db.sql("delete from sign_in_failures where key = :k").param("k", accountKey(email)).update();
    }

    private Counted count(String key, int limit) {
        OffsetDateTime now = now();
        OffsetDateTime lockUntil = now.plus(window);
        return db.sql("""
                insert into sign_in_failures as f (key, failures, window_start, locked_until)
                values (:key, 1, :now, case when 1 >= :limit then cast(:lockUntil as timestamptz) end)
                on conflict (key) do update set
                    failures = case when f.window_start <= :windowStart then 1 else f.failures + 1 end,
                    window_start = case when f.window_start <= :windowStart then :now else f.window_start end,
                    locked_until = case
                        when f.locked_until > :now then f.locked_until
                        when (case when f.window_start <= :windowStart then 1 else f.failures + 1 end) >= :limit then :lockUntil
                        else null end
                returning failures, locked_until""")
                .param("key", key).param("now", now).param("limit", limit).param("lockUntil", lockUntil)
                .param("windowStart", now.minus(window))
                .query((rs, n) -> {
                    OffsetDateTime until = rs.getObject(2, OffsetDateTime.class);
                    return new Counted(rs.getInt(1), until != null && until.toInstant().equals(lockUntil.toInstant()),
                            until == null ? null : until.toInstant());
                })
                .single();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    static String accountKey(String email) {
        return "account:" + (email == null ? "" : email.trim().toLowerCase(Locale.ROOT));
    }

    static String addressKey(String address) {
        return "ip:" + (address == null ? "unknown" : address);
    }
}
