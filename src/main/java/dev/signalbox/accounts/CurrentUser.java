package dev.signalbox.accounts;

import java.security.Principal;
import java.util.Set;

/** Who is calling: the principal of every authenticated request, from a token or a session. */
public record CurrentUser(String id, String email, String name, Set<String> operatorRoles) implements Principal {

    public boolean isOperator() {
        return !operatorRoles.isEmpty();
    }

    public boolean hasOperatorRole(String... roles) {
        for (String role : roles) {
            if (operatorRoles.contains(role)) return true;
        }
        return false;
    }

    @Override
    public String getName() {
        return email;
    }
}
