package dev.signalbox.sandbox;

import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Sandbox API failures speak Mastodon's error shape, not Signalbox's problem+json. */
@RestControllerAdvice(basePackageClasses = SandboxErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class SandboxErrors {

    @ExceptionHandler(SandboxError.class)
    ResponseEntity<Map<String, Object>> refused(SandboxError error) {
        return ResponseEntity.status(error.status()).body(error.body());
    }
}
