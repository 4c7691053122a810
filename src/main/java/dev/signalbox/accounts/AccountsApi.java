package dev.signalbox.accounts;

import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The Accounts part of the REST contract (docs: API.md). */
@RestController
class AccountsApi {

    record SignUp(String email, String password, String name) {}
    record UserView(String id, String email, String name) {}
    record TokenRequest(String email, String password, String totp) {}
    record TokenView(String token, Instant expiresAt) {}
    record NewOperator(String email, String password, String name, List<String> roles) {}
    record OperatorView(String id, String email, String name, List<String> roles) {}
    record NewWorkspace(String name) {}
    record NewMember(String email, String role) {}

    static final String OPERATORS = "/api/v1/operators";

    private final Users users;
    private final SignIn signIn;
    private final ApiTokens tokens;
    private final Workspaces workspaces;
    private final boolean signUpEnabled;

    AccountsApi(Users users, SignIn signIn, ApiTokens tokens, Workspaces workspaces,
            @Value("${signalbox.signup-enabled:true}") boolean signUpEnabled) {
        this.users = users;
        this.signIn = signIn;
        this.tokens = tokens;
        this.workspaces = workspaces;
        this.signUpEnabled = signUpEnabled;
    }

    @PostMapping("/api/v1/users")
    @ResponseStatus(HttpStatus.CREATED)
    UserView signUp(@RequestBody SignUp body) {
        if (!signUpEnabled) throw ApiProblem.forbidden("Sign-up is turned off on this Signalbox; ask an operator for an account");
        CurrentUser user = users.signUp(body.email(), body.password(), body.name());
        return new UserView(user.id(), user.email(), user.name());
    }

    /** 401 for a wrong password or two-factor code, 429 while the account or the caller's address is locked out. */
    @PostMapping("/api/v1/auth/token")
    @ResponseStatus(HttpStatus.CREATED)
    TokenView token(@RequestBody TokenRequest body, HttpServletRequest request) {
        CurrentUser user = signIn.attempt(body.email(), body.password(), body.totp(), request.getRemoteAddr(), "api");
        ApiTokens.Issued issued = tokens.issue(user.id());
        return new TokenView(issued.token(), issued.expiresAt());
    }

    @PostMapping(OPERATORS)
    @ResponseStatus(HttpStatus.CREATED)
    OperatorView createOperator(@AuthenticationPrincipal CurrentUser caller, @RequestBody NewOperator body, HttpServletRequest request) {
        Operators.require(caller, OPERATORS, Operators.ADMIN);
        CurrentUser op = users.createOperator(caller, request.getRemoteAddr(), body.email(), body.password(), body.name(), body.roles());
        return new OperatorView(op.id(), op.email(), op.name(), List.copyOf(op.operatorRoles()));
    }

    @GetMapping(OPERATORS)
    Map<String, List<Users.OperatorSummary>> operators(@AuthenticationPrincipal CurrentUser caller) {
        Operators.require(caller, OPERATORS, Operators.ADMIN);
        return Map.of("operators", users.operators());
    }

    @PostMapping("/api/v1/workspaces")
    @ResponseStatus(HttpStatus.CREATED)
    Workspaces.Workspace createWorkspace(@AuthenticationPrincipal CurrentUser caller, @RequestBody NewWorkspace body) {
        return workspaces.create(caller, body.name());
    }

    @GetMapping("/api/v1/workspaces")
    List<Workspaces.Workspace> listWorkspaces(@AuthenticationPrincipal CurrentUser caller) {
        return workspaces.of(caller);
    }

    @GetMapping("/api/v1/workspaces/{workspaceId}")
    Workspaces.Workspace workspace(@AuthenticationPrincipal CurrentUser caller, @PathVariable String workspaceId) {
        return workspaces.get(caller, workspaceId);
    }

    @PostMapping("/api/v1/workspaces/{workspaceId}/members")
    @ResponseStatus(HttpStatus.CREATED)
    Workspaces.Member addMember(@AuthenticationPrincipal CurrentUser caller, @PathVariable String workspaceId,
            @RequestBody NewMember body) {
        return workspaces.addMember(caller, workspaceId, body.email(), body.role());
    }

    @GetMapping("/api/v1/workspaces/{workspaceId}/members")
    List<Workspaces.Member> members(@AuthenticationPrincipal CurrentUser caller, @PathVariable String workspaceId) {
        return workspaces.members(caller, workspaceId);
    }
}
