package dev.signalbox.networks;

import dev.signalbox.vault.SealedColumn;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tells key rotation where app registrations keep their sealed client secrets. */
@Configuration(proxyBeanMethods = false)
class NetworkAppSecrets {

    @Bean
    SealedColumn networkAppClientSecrets() {
        return new SealedColumn("network_apps", "instance_url", "client_secret", "network_apps:");
    }
}
