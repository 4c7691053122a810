package dev.signalbox.sandbox;

import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Puts the {@link SandboxGate} (latency and rate limit) in front of /sandbox/api/** only. */
@Configuration(proxyBeanMethods = false)
class SandboxConfig {

    @Bean
    FilterRegistrationBean<SandboxGate> sandboxGate(
            @Value("${signalbox.sandbox.latency-ms:0}") long latencyMs,
            @Value("${signalbox.sandbox.rate-limit:0}") int rateLimit,
            @Value("${signalbox.sandbox.rate-window-seconds:300}") long windowSeconds,
            Clock clock, SandboxAuth auth) {
        FilterRegistrationBean<SandboxGate> registration =
                new FilterRegistrationBean<>(new SandboxGate(latencyMs, rateLimit, windowSeconds, clock, auth));
        registration.addUrlPatterns("/sandbox/api/*");
        registration.setName("sandboxGate");
        return registration;
    }
}
