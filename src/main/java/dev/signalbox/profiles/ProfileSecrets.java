package dev.signalbox.profiles;

import dev.signalbox.vault.SealedColumn;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tells key rotation where profiles keep their sealed credentials. */
@Configuration(proxyBeanMethods = false)
class ProfileSecrets {

    @Bean
    SealedColumn profileCredentials() {
        return new SealedColumn("profiles", "id", "secret", "profiles:");
    }
}
