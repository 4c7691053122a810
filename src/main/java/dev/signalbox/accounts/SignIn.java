package dev.signalbox.accounts;

import dev.signalbox.platform.ApiProblem;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * One sign-in attempt, the same for the API and the dashboard: throttle, password, then the
 * second factor for enrolled operators. Refusals are {@link ApiProblem}s: 429 while the account or
 * the address is locked, 401 otherwise. Failures are counted (and an operator's lock-out is
 * announced for the audit log) in a transaction that commits even though the attempt is refused.
 */
@Service
public class SignIn {

    static final String WRONG_PASSWORD = "Wrong email or password";
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private final Users users;
    private final TwoFactor twoFactor;
    private final SignInThrottle throttle;
    private final ApplicationEventPublisher events;

    SignIn(Users users, TwoFactor twoFactor, SignInThrottle throttle, ApplicationEventPublisher events) {
        this.users = users;
        this.twoFactor = twoFactor;
        this.throttle = throttle;
        this.events = events;
    }

    /**
     * The user with this email and password (and, for an enrolled operator, a valid {@code code}:
     * a current TOTP code or an unused recovery code). {@code source} is the client address;
     * {@code via} says which door ("api", "dashboard") for the audit log.
     */
    @Transactional(noRollbackFor = ApiProblem.class)
    public CurrentUser attempt(String email, String password, String code, String source, String via) {
        Optional<Instant> locked = throttle.lockedUntil(email, source);
        if (locked.isPresent()) throw tooMany(locked.get());
        CurrentUser user = users.authenticate(email, password).orElse(null);
        if (user == null) throw failed(email, source, via, ApiProblem.unauthorized(WRONG_PASSWORD));
        switch (twoFactor.check(user.id(), code)) {
            case ACCEPTED -> {
                throttle.succeeded(email);
                return user;
            }
            case MISSING -> throw new ApiProblem(HttpStatus.UNAUTHORIZED, "Two-factor code required",
                    "totp: this operator account needs the 6-digit code from its authenticator app (or a recovery code)",
                    List.of(new ApiProblem.FieldError("totp", "is required for this account")));
            case REPLAYED -> throw failed(email, source, via, new ApiProblem(HttpStatus.UNAUTHORIZED, "Two-factor code already used",
                    "totp: this code was already used; wait for the next code (a new one every 30 seconds)",
                    List.of(new ApiProblem.FieldError("totp", "was already used"))));
            case WRONG -> throw failed(email, source, via, new ApiProblem(HttpStatus.UNAUTHORIZED, "Wrong two-factor code",
                    "totp: the code is wrong; type the current 6-digit code from your authenticator app, or an unused recovery code",
                    List.of(new ApiProblem.FieldError("totp", "is wrong"))));
        }
        throw new IllegalStateException("unreachable");
    }

    private ApiProblem failed(String email, String source, String via, ApiProblem refusal) {
        SignInThrottle.Counted counted = throttle.failed(email, source);
        if (counted.lockedNow() && email != null) {
            users.byEmail(email).filter(CurrentUser::isOperator).ifPresent(op -> events.publishEvent(
                    new AccountEvents.OperatorLockedOut(op, source, via, counted.failures(), counted.lockedUntil())));
        }
        Optional<Instant> locked = throttle.lockedUntil(email, source);
        return locked.isPresent() ? tooMany(locked.get()) : refusal;
    }

    static ApiProblem tooMany(Instant until) {
        return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "Too many failed sign-ins",
                "too many failed sign-ins; try again after " + HH_MM.format(until) + " UTC", List.of());
    }
}
