package dev.signalbox.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import dev.signalbox.testing.SignalboxTest;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Who may call each operator endpoint. Add a row to {@link #ENDPOINTS} for a new endpoint: the
 * matrix then checks it for every kind of caller. No token: 401. A customer: 404 (they never learn
 * it exists). An operator without an allowed role: 403. An allowed operator: {@code success}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorPermissionsTest extends SignalboxTest {

    enum Caller { NO_TOKEN, CUSTOMER, ADMIN, RESPONDER, COMMUNICATOR, SUPPORT }

    /** {@code body} may contain {@code {unique}}, replaced by a fresh value per call. */
    record Endpoint(String method, String path, String body, int success, Set<Caller> allowed) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/v1/operators", null, 200, Set.of(Caller.ADMIN)),
            new Endpoint("POST", "/api/v1/operators",
                    "{\"email\":\"op-{unique}@example.com\",\"password\":\"correct-horse-battery\",\"name\":\"New\",\"roles\":[\"support\"]}",
                    201, Set.of(Caller.ADMIN)),
            new Endpoint("GET", "/api/v1/audit", null, 200, Set.of(Caller.ADMIN, Caller.RESPONDER)),
            new Endpoint("GET", "/api/v1/audit?from=2020-01-01T00:00:00Z", null, 200, Set.of(Caller.ADMIN, Caller.RESPONDER)),
            new Endpoint("GET", "/api/v1/audit/verify", null, 200,
                    Set.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)),
            // Incident command. Bodies that pass the permission check but fail validation (422) or name nothing (404),
            // so the matrix never leaves a real halt, job or disconnection behind in the shared test app.
            new Endpoint("GET", "/api/v1/halts?active=true", null, 200, Set.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("POST", "/api/v1/halts", "{\"scope\":\"profile\",\"target\":\"prf_missing_{unique}\",\"reason\":\"matrix\"}",
                    422, Set.of(Caller.ADMIN, Caller.RESPONDER)),
            new Endpoint("DELETE", "/api/v1/halts/hlt_missing?reason=matrix", null, 404, Set.of(Caller.ADMIN, Caller.RESPONDER)),
            new Endpoint("POST", "/api/v1/incident-channels", "{\"profileId\":\"prf_missing_{unique}\"}", 422,
                    Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            new Endpoint("POST", "/api/v1/containments",
                    "{\"action\":\"hide\",\"postIds\":[\"pst_missing_{unique}\"],\"reason\":\"matrix\",\"dryRun\":true}", 422,
                    Set.of(Caller.ADMIN, Caller.RESPONDER)),
            new Endpoint("POST", "/api/v1/disconnections", "{\"network\":\"no_such_network\",\"reason\":\"matrix\"}", 422,
                    Set.of(Caller.ADMIN, Caller.RESPONDER)),
            new Endpoint("GET", "/api/v1/disconnections", null, 200, Set.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)),
            // Follow-up campaigns, on an incident that does not exist: the role is checked before the incident is looked up.
            new Endpoint("GET", "/api/v1/incidents/inc_missing/follow-ups", null, 404,
                    Set.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("POST", "/api/v1/incidents/inc_missing/follow-ups", "{\"action\":\"reconnect\",\"dryRun\":true}", 404,
                    Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            new Endpoint("POST", "/api/v1/incidents/inc_missing/follow-ups/fup_missing/stop", "{}", 404,
                    Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            // Support inbox: support and communicators answer. Writes name no thread (404) or break a rule (422).
            new Endpoint("GET", "/api/v1/support/threads?state=waiting", null, 200, Set.of(Caller.ADMIN, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("GET", "/api/v1/support/panel", null, 200, Set.of(Caller.ADMIN, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("GET", "/api/v1/support/threads/thr_missing", null, 404, Set.of(Caller.ADMIN, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("POST", "/api/v1/support/threads/thr_missing/replies", "{\"body\":\"matrix\"}", 404,
                    Set.of(Caller.ADMIN, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("POST", "/api/v1/support/threads/thr_missing/assign", "{\"operatorId\":null}", 404,
                    Set.of(Caller.ADMIN, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("GET", "/api/v1/support/canned", null, 200, Set.of(Caller.ADMIN, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("POST", "/api/v1/support/canned", "{\"title\":\"\",\"body\":\"matrix {unique}\"}", 422,
                    Set.of(Caller.ADMIN, Caller.COMMUNICATOR, Caller.SUPPORT)),
            // Crisis communication channels. A loopback webhook address is refused here (private addresses are off), so none is left behind.
            new Endpoint("GET", "/api/v1/webhooks", null, 200, Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            new Endpoint("POST", "/api/v1/webhooks", "{\"url\":\"https://127.0.0.1/hook-{unique}\"}", 422, Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            new Endpoint("DELETE", "/api/v1/webhooks/whk_missing", null, 404, Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            new Endpoint("GET", "/api/v1/webhooks/whk_missing/deliveries", null, 404, Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            new Endpoint("GET", "/api/v1/messages/templates", null, 200, Set.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("POST", "/api/v1/incidents/inc_missing/preview", "{\"body\":\"I am sorry\"}", 404, Set.of(Caller.ADMIN, Caller.COMMUNICATOR)),
            // Email deliveries of an update: every operator role reads; a bad query is 422 only after the permission check.
            new Endpoint("GET", "/api/v1/incidents/inc_missing/updates/upd_missing/deliveries", null, 404,
                    Set.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)),
            new Endpoint("GET", "/api/v1/incidents/inc_missing/updates/upd_missing/deliveries?limit=501", null, 422,
                    Set.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)));

    @LocalServerPort
    int port;

    @Autowired
    Users users;

    final Map<Caller, Api> callers = new EnumMap<>(Caller.class);

    @BeforeAll
    void callers() {
        Api anonymous = Api.at(port);
        callers.put(Caller.NO_TOKEN, anonymous);
        callers.put(Caller.CUSTOMER, anonymous.newCustomer("Casey Customer"));
        for (Caller role : List.of(Caller.ADMIN, Caller.RESPONDER, Caller.COMMUNICATOR, Caller.SUPPORT)) {
            callers.put(role, operatorApi(anonymous, role.name().toLowerCase()));
        }
    }

    /** A fresh operator holding {@code role} (not enrolled in two-factor, so a password alone issues its token). */
    private Api operatorApi(Api anonymous, String role) {
        String email = role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        users.createOperator(email, "correct-horse-battery", role, List.of(role));
        Api.Answer token = Api.expect(201, anonymous.post("/api/v1/auth/token",
                "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\"}"));
        return anonymous.as(token.text("token"));
    }

    Stream<Arguments> matrix() {
        return ENDPOINTS.stream().flatMap(e -> Stream.of(Caller.values()).map(c -> Arguments.of(e, c)));
    }

    static int expected(Endpoint endpoint, Caller caller) {
        if (caller == Caller.NO_TOKEN) return 401;
        if (caller == Caller.CUSTOMER) return 404;
        return endpoint.allowed().contains(caller) ? endpoint.success() : 403;
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void each_caller_gets_the_answer_of_the_permission_table(Endpoint endpoint, Caller caller) {
        Api api = callers.get(caller);
        String body = endpoint.body() == null ? null : endpoint.body().replace("{unique}", UUID.randomUUID().toString().substring(0, 12));
        Api.Answer answer = switch (endpoint.method()) {
            case "GET" -> api.get(endpoint.path());
            case "POST" -> api.post(endpoint.path(), body);
            case "PUT" -> api.put(endpoint.path(), body);
            case "PATCH" -> api.patch(endpoint.path(), body);
            case "DELETE" -> api.delete(endpoint.path());
            default -> throw new IllegalArgumentException(endpoint.method());
        };
        assertThat(answer.status()).as(answer.body()).isEqualTo(expected(endpoint, caller));
        if (caller == Caller.CUSTOMER) assertThat(answer.body()).doesNotContain("operator role");
    }

    @Test
    void creating_an_operator_is_audited_with_the_callers_address_and_a_taken_email_is_409() {
        Api admin = callers.get(Caller.ADMIN);
        String email = "comms-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String body = "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\",\"name\":\"Comms\",\"roles\":[\"communicator\"]}";
        Api.expect(201, admin.post("/api/v1/operators", body));
        Api.Answer taken = admin.post("/api/v1/operators", body.replace(email, email.toUpperCase()));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.json().get("errors").get(0).get("field").asString()).isEqualTo("email");

        var entries = Api.expect(200, admin.get("/api/v1/audit?action=operator.create")).json().get("entries");
        var created = Stream.iterate(0, i -> i < entries.size(), i -> i + 1).map(entries::get)
                .filter(e -> email.equals(e.get("target").asString())).toList();
        assertThat(created).hasSize(1);
        assertThat(created.getFirst().get("source").asString()).isEqualTo("127.0.0.1");
        assertThat(created.getFirst().get("details").get("roles").get(0).asString()).isEqualTo("communicator");
        assertThat(created.getFirst().get("seq").asLong()).isPositive();
        assertThat(created.getFirst().get("at").asString()).endsWith("Z");

        var operators = Api.expect(200, admin.get("/api/v1/operators")).json().get("operators");
        var listed = Stream.iterate(0, i -> i < operators.size(), i -> i + 1).map(operators::get)
                .filter(o -> email.equals(o.get("email").asString())).toList();
        assertThat(listed).hasSize(1);
        assertThat(listed.getFirst().get("roles").get(0).asString()).isEqualTo("communicator");
        assertThat(listed.getFirst().get("totpEnrolled").asBoolean()).isFalse();
    }

    @Test
    void audit_filters_that_are_not_instants_are_refused_naming_the_field() {
        Api responder = callers.get(Caller.RESPONDER);
        Api.Answer badFrom = responder.get("/api/v1/audit?from=yesterday");
        assertThat(badFrom.status()).isEqualTo(422);
        assertThat(badFrom.json().get("errors").get(0).get("field").asString()).isEqualTo("from");
        Api.Answer badTo = responder.get("/api/v1/audit?to=2025-13-01T00:00:00Z");
        assertThat(badTo.status()).isEqualTo(422);
        assertThat(badTo.json().get("errors").get(0).get("field").asString()).isEqualTo("to");
        Api.expect(200, responder.get("/api/v1/audit?from=2025-01-01T10:00:00%2B02:00&to=2099-01-01T00:00:00Z"));
    }
}
