package dev.signalbox.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A refusal answered the way Mastodon answers it: {@code {"error": …}} with Mastodon's status code. */
final class SandboxError extends RuntimeException {

    private final HttpStatus status;
    private final String description;

    private SandboxError(HttpStatus status, String error, String description) {
        super(error);
        this.status = status;
        this.description = description;
    }

    static SandboxError invalidToken() {
        return new SandboxError(HttpStatus.UNAUTHORIZED, "The access token is invalid", null);
    }

    static SandboxError notFound() {
        return new SandboxError(HttpStatus.NOT_FOUND, "Record not found", null);
    }

    static SandboxError validation(String message) {
        return new SandboxError(HttpStatus.UNPROCESSABLE_CONTENT, "Validation failed: " + message, null);
    }

    /** An OAuth error: {@code {"error": code, "error_description": …}}. */
    static SandboxError oauth(HttpStatus status, String code, String description) {
        return new SandboxError(status, code, description);
    }

    HttpStatus status() {
        return status;
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", getMessage());
        if (description != null) body.put("error_description", description);
        return body;
    }
}
