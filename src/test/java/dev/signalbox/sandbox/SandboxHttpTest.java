package dev.signalbox.sandbox;

import dev.signalbox.testing.SignalboxTest;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.context.bean.override.convention.TestBean;

/**
 * Base of the sandbox's HTTP tests.
 *
 * <p>Workaround, to delete once pom.xml declares org.bouncycastle:bcprov-jdk18on: the app's
 * Argon2 password encoder needs BouncyCastle, which is not on the classpath, so the app cannot
 * start. The sandbox does not use passwords; these tests swap in BCrypt so the app starts.
 */
abstract class SandboxHttpTest extends SignalboxTest {

    @TestBean
    PasswordEncoder passwordEncoder;

    static PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(4);
    }
}
