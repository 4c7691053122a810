package dev.signalbox.sandbox;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fields of a request as Mastodon reads them: query parameters, then the body, whether
 * form-encoded or a JSON object. List values (e.g. {@code scopes: ["read", "write"]}) are joined by spaces.
 */
record SandboxFields(Map<String, String> values) {

    static SandboxFields of(HttpServletRequest request, JsonMapper json) {
        Map<String, String> values = new HashMap<>();
        String contentType = request.getContentType();
        boolean isJson = contentType != null && MediaType.parseMediaType(contentType).isCompatibleWith(MediaType.APPLICATION_JSON);
        request.getParameterMap().forEach((name, given) -> {
            if (given.length > 0) values.put(name, given[0]);
        });
        if (isJson) {
            try {
                Map<?, ?> body = json.readValue(request.getInputStream(), Map.class);
                if (body != null) body.forEach((name, value) -> {
                    if (value != null) values.put(String.valueOf(name), value instanceof List<?> list
                            ? list.stream().map(String::valueOf).collect(Collectors.joining(" "))
                            : String.valueOf(value));
                });
            } catch (IOException | JacksonException e) {
                throw SandboxError.oauth(HttpStatus.BAD_REQUEST, "invalid_request",
                        "The body is not a JSON object: send a JSON object or form-encoded fields");
            }
        }
        return new SandboxFields(values);
    }

    /** The field, or null when absent or blank. */
    String get(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    String getOrDefault(String name, String fallback) {
        String value = get(name);
        return value == null ? fallback : value;
    }
}
