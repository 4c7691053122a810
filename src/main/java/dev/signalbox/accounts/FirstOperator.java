package dev.signalbox.accounts;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Creates the first operator (role admin) from SIGNALBOX_ADMIN_EMAIL/_PASSWORD when none exists. */
@Component
class FirstOperator implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(FirstOperator.class);

    private final Users users;
    private final String email;
    private final String password;

    FirstOperator(Users users, @Value("${signalbox.admin.email:}") String email,
            @Value("${signalbox.admin.password:}") String password) {
        this.users = users;
        this.email = email;
        this.password = password;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (email.isBlank() || password.isBlank() || users.anyOperator()) return;
        try {
            users.createOperator(email, password, "Administrator", List.of("admin"));
            log.info("Created the first operator {} with role admin", email);
        } catch (dev.signalbox.platform.ApiProblem e) {
            log.info("Another node created the first operator");
        }
    }
}
