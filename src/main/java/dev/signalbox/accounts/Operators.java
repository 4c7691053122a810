package dev.signalbox.accounts;

import dev.signalbox.platform.ApiProblem;
import java.util.Arrays;

/**
 * Who may use the incident command center. Customers (and anyone unauthenticated) never learn an
 * operator endpoint exists: they get 404. An operator without the needed role gets 403 naming it.
 */
public final class Operators {

    public static final String ADMIN = "admin";
    public static final String RESPONDER = "responder";
    public static final String COMMUNICATOR = "communicator";
    public static final String SUPPORT = "support";

    private Operators() {}

    /** Passes when {@code user} is an operator holding any of {@code roles} (admin always passes). */
    public static void require(CurrentUser user, String what, String... roles) {
        if (user == null || !user.isOperator()) throw ApiProblem.notFound(what);
        if (user.hasOperatorRole(ADMIN) || user.hasOperatorRole(roles)) return;
        throw ApiProblem.forbidden("This needs one of the operator roles " + String.join(", ", Arrays.asList(roles)) + " (or admin)");
    }
}
