package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import jakarta.servlet.http.HttpServletRequest;

/** What the shared layout needs: the page title, who is signed in (null on the sign-in pages) and the CSRF token for sign-out. */
public record PageHeader(String title, String userName, Csrf csrf) {

    static PageHeader of(String title, CurrentUser user, HttpServletRequest request) {
        return new PageHeader(title, user == null ? null : user.name(), Csrf.of(request));
    }

    public boolean signedIn() {
        return userName != null;
    }
}
