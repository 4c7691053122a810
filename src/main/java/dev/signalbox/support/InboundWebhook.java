package dev.signalbox.support;

import dev.signalbox.platform.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/support/inbound}: mail handed over by a mail provider's inbound webhook (or a
 * script), as JSON {@code {from, to, subject, text, html?, messageId, inReplyTo?, references?}}.
 * Authenticated by the shared secret in {@code X-Signalbox-Inbound-Secret}
 * ({@code signalbox.support.inbound-secret}), compared in constant time; no secret configured
 * means every call is refused. 201 stored (with its thread), 200 already stored (same messageId),
 * 202 a bounce (announced, no thread), 401 wrong secret, 422 naming each malformed field.
 */
@RestController
class InboundWebhook {

    static final String PATH = "/api/v1/support/inbound";
    static final String SECRET_HEADER = "X-Signalbox-Inbound-Secret";
    private static final Pattern ADDRESS = Pattern.compile("^[^@\\s<>\",;]+@[^@\\s<>\",;]+$");
    private static final Pattern MESSAGE_ID = Pattern.compile("^<?[^<>\\s]+@[^<>\\s]+>?$");

    private final Inbox inbox;
    private final byte[] secretHash;

    InboundWebhook(Inbox inbox, @Value("${signalbox.support.inbound-secret:}") String secret) {
        this.inbox = inbox;
        this.secretHash = secret == null || secret.isBlank() ? null : sha256(secret);
    }

    @PostMapping(PATH)
    ResponseEntity<Map<String, Object>> receive(@RequestHeader(name = SECRET_HEADER, required = false) String secret,
            @RequestBody(required = false) JsonNode body) {
        // Hashing both sides first makes the comparison take the same time whatever the lengths.
        if (secretHash == null || secret == null || !MessageDigest.isEqual(secretHash, sha256(secret))) {
            throw ApiProblem.unauthorized(secretHash == null
                    ? "The inbound webhook is off: set SIGNALBOX_SUPPORT_INBOUND_SECRET and send it as " + SECRET_HEADER
                    : "Send the shared secret as " + SECRET_HEADER);
        }
        InboundMessage message = parse(body);
        Inbox.Received received = inbox.receive(message);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("outcome", received.outcome().name().toLowerCase());
        answer.put("id", received.messageId());
        answer.put("threadId", received.threadId());
        HttpStatus status = switch (received.outcome()) {
            case STORED -> HttpStatus.CREATED;
            case DUPLICATE -> HttpStatus.OK;
            case BOUNCE -> HttpStatus.ACCEPTED;
        };
        return ResponseEntity.status(status).body(answer);
    }

    static InboundMessage parse(JsonNode body) {
        if (body == null || !body.isObject()) throw ApiProblem.invalid("body", "must be a JSON object {from, to, subject, text, messageId, …}");
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        String from = string(body, "from", true, errors);
        if (from != null && (from.strip().length() > 254 || !ADDRESS.matcher(from.strip()).matches())) errors.add(new ApiProblem.FieldError("from", "must be one email address like name@example.com (at most 254 characters)"));
        List<String> to = new ArrayList<>();
        JsonNode toNode = body.get("to");
        if (toNode == null || toNode.isNull()) errors.add(new ApiProblem.FieldError("to", "is required: the address(es) the message was sent to"));
        else if (toNode.isString()) to.addAll(List.of(toNode.asString().split("\\s*,\\s*")));
        else if (toNode.isArray()) {
            for (int i = 0; i < toNode.size(); i++) {
                if (toNode.get(i).isString()) to.add(toNode.get(i).asString());
                else errors.add(new ApiProblem.FieldError("to[" + i + "]", "must be a string"));
            }
        } else errors.add(new ApiProblem.FieldError("to", "must be a string or an array of strings"));
        to.removeIf(String::isBlank);
        if (toNode != null && !toNode.isNull() && to.isEmpty() && errors.stream().noneMatch(e -> e.field().startsWith("to"))) {
            errors.add(new ApiProblem.FieldError("to", "must name at least one address"));
        }
        String subject = string(body, "subject", true, errors);
        String text = string(body, "text", false, errors);
        String html = string(body, "html", false, errors);
        boolean typeError = errors.stream().anyMatch(e -> e.field().equals("text") || e.field().equals("html"));
        if (!typeError && (text == null || text.isBlank()) && (html == null || html.isBlank())) {
            errors.add(new ApiProblem.FieldError("text", "is required (or html): the message itself"));
        }
        String messageId = string(body, "messageId", true, errors);
        if (messageId != null && !MESSAGE_ID.matcher(messageId.strip()).matches()) {
            errors.add(new ApiProblem.FieldError("messageId", "must be the Message-ID header, like <abc123@mail.example.com>"));
        }
        String inReplyTo = string(body, "inReplyTo", false, errors);
        String references = string(body, "references", false, errors);
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);

        String id = messageId.strip();
        if (!id.startsWith("<")) id = "<" + id;
        if (!id.endsWith(">")) id = id + ">";
        String plain = text != null && !text.isBlank() ? text : MailReader.htmlToText(html);
        InboundMessage.Bounce bounce = MailReader.isMailerDaemon(from.strip()) ? MailReader.bounceFromText(plain) : null;
        return new InboundMessage("webhook", id, id, MailReader.ids(inReplyTo), MailReader.ids(references), from.strip(), null,
                to.stream().map(String::strip).map(MailReader::clean).toList(), MailReader.clean(subject), MailReader.limit(plain),
                MailReader.limit(html), null, null, null, null, bounce, null);
    }

    /** The string field {@code name}; null when absent (an error when {@code required}) or of another type (always an error). */
    private static String string(JsonNode body, String name, boolean required, List<ApiProblem.FieldError> errors) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            if (required) errors.add(new ApiProblem.FieldError(name, "is required"));
            return null;
        }
        if (!node.isString()) {
            errors.add(new ApiProblem.FieldError(name, "must be a string"));
            return null;
        }
        String value = node.asString();
        if (required && value.isBlank() && !name.equals("subject")) {
            errors.add(new ApiProblem.FieldError(name, "is required and must not be blank"));
            return null;
        }
        return value;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The webhook carries no bearer token: its own filter chain, ahead of the API's, lets it through to the secret check. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication
    static class Security {
        @Bean
        @Order(0)
        SecurityFilterChain supportInbound(HttpSecurity http) throws Exception {
            http.securityMatcher(PATH)
                    .csrf(c -> c.disable())
                    .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll());
            return http.build();
        }
    }
}
