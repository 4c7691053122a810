package dev.signalbox.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole app on a random port, on the shared test PostgreSQL.
 * Subclasses that add no configuration of their own share one running app.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class SignalboxTest {

    /** Every node of a test cluster must share the master key, as in production. */
    public static final String TEST_MASTER_KEY = java.util.Base64.getEncoder().encodeToString(
            randomKey());

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return key;
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws Exception {
        Path dataDir = Files.createTempDirectory("signalbox-test");
        registry.add("signalbox.database.url", TestPostgres::sharedUrl);
        registry.add("signalbox.database.user", () -> "postgres");
        registry.add("signalbox.data-dir", dataDir::toString);
        registry.add("signalbox.master-key", () -> TEST_MASTER_KEY);
    }
}
