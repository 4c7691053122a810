package dev.signalbox.accounts;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Creates the first operator (role admin) from SIGNALBOX_ADMIN_EMAIL/_PASSWORD when none exists,
 * with SIGNALBOX_ADMIN_TOTP_SECRET (base32) as its confirmed TOTP secret when set.
 */
@Component
class FirstOperator implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(FirstOperator.class);

    private final Users users;
    private final String email;
    private final String password;
    private final String totpSecret;
    private final TwoFactor twoFactor;
    private final TransactionTemplate transaction;

    FirstOperator(Users users, TwoFactor twoFactor, TransactionTemplate transaction,
            @Value("${signalbox.admin.email:}") String email,
            @Value("${signalbox.admin.password:}") String password,
            @Value("${signalbox.admin.totp-secret:}") String totpSecret) {
        this.users = users;
        this.twoFactor = twoFactor;
        this.transaction = transaction;
        this.email = email;
        this.password = password;
        this.totpSecret = totpSecret;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (email.isBlank() || password.isBlank() || users.anyOperator()) return;
        try {
            transaction.executeWithoutResult(tx -> {
                CurrentUser admin = users.createOperator(null, "internal", email, password, "Administrator", List.of("admin"));
                if (!totpSecret.isBlank()) twoFactor.provision(admin, totpSecret);
            });
            log.info("Created the first operator {} with role admin{}", email,
                    totpSecret.isBlank() ? "; two-factor enrolment at first dashboard sign-in" : " and the configured TOTP secret");
        } catch (dev.signalbox.platform.ApiProblem e) {
            log.info("Another node created the first operator");
        }
    }
}
